/**
 * Ridge (L2-regularised) logistic regression fitted by Newton–Raphson (iteratively reweighted least
 * squares). Features are standardised first, so one penalty suits them all and the coefficients are
 * comparable; the intercept is not penalised. Written here rather than taken from a library because the
 * npm packages for it fit by plain gradient descent without a penalty or convergence test, and the
 * model must be exactly reproducible and explainable (docs/RISK-MODEL.md, "Fitting"): about 25
 * features, so each Newton step solves a small linear system and the fit converges in a few steps.
 */
export interface FittedLogistic {
  intercept: number;
  /** Per standardised feature. */
  coefficients: number[];
  means: number[];
  sds: number[];
  lambda: number;
  iterations: number;
  converged: boolean;
}

export interface FitOptions {
  /** The penalty (on the sum of squared standardised coefficients), scaled by the number of rows. */
  lambda?: number;
  maxIterations?: number;
  tolerance?: number;
}

function columnStats(rows: readonly number[][], width: number): { means: number[]; sds: number[] } {
  const means = new Array<number>(width).fill(0);
  const squares = new Array<number>(width).fill(0);
  for (const row of rows) {
    for (let j = 0; j < width; j++) {
      means[j]! += row[j]!;
      squares[j]! += row[j]! * row[j]!;
    }
  }
  const n = Math.max(1, rows.length);
  const sds = means.map((sum, j) => {
    const mean = sum / n;
    const variance = squares[j]! / n - mean * mean;
    // A constant column (no one in the data has the feature) keeps sd 1: its coefficient stays 0.
    return variance > 1e-12 ? Math.sqrt(variance) : 1;
  });
  return { means: means.map((sum) => sum / n), sds };
}

/** Solves A x = b for a symmetric positive definite A (Cholesky). */
export function solveSpd(a: number[][], b: number[]): number[] {
  const n = b.length;
  const l = a.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i]![j]!;
      for (let k = 0; k < j; k++) {
        sum -= l[i]![k]! * l[j]![k]!;
      }
      if (i === j) {
        if (sum <= 0) {
          throw new Error('matrix is not positive definite');
        }
        l[i]![i] = Math.sqrt(sum);
      } else {
        l[i]![j] = sum / l[j]![j]!;
      }
    }
  }
  const y = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) {
      sum -= l[i]![k]! * y[k]!;
    }
    y[i] = sum / l[i]![i]!;
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let k = i + 1; k < n; k++) {
      sum -= l[k]![i]! * x[k]!;
    }
    x[i] = sum / l[i]![i]!;
  }
  return x;
}

export const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

function penalisedLogLikelihood(
  z: readonly number[][],
  y: readonly number[],
  beta: readonly number[],
  lambda: number,
): number {
  let total = 0;
  for (let i = 0; i < z.length; i++) {
    let eta = 0;
    for (let j = 0; j < beta.length; j++) {
      eta += beta[j]! * z[i]![j]!;
    }
    // log(sigmoid(eta)) and log(1 - sigmoid(eta)), stable for large |eta|.
    const logOneMinus = eta > 0 ? -eta - Math.log1p(Math.exp(-eta)) : -Math.log1p(Math.exp(eta));
    total += y[i]! * eta + logOneMinus;
  }
  let penalty = 0;
  for (let j = 1; j < beta.length; j++) {
    penalty += beta[j]! * beta[j]!;
  }
  return total - (lambda / 2) * penalty;
}

/** Fits y ~ rows; `y` holds 0 or 1. */
export function fitLogistic(rows: readonly number[][], y: readonly number[], options: FitOptions = {}): FittedLogistic {
  const width = rows[0]?.length ?? 0;
  const lambda = options.lambda ?? 1;
  const maxIterations = options.maxIterations ?? 50;
  const tolerance = options.tolerance ?? 1e-8;
  const { means, sds } = columnStats(rows, width);
  const z = rows.map((row) => [1, ...row.map((v, j) => (v - means[j]!) / sds[j]!)]);
  const p = width + 1;
  let beta = new Array<number>(p).fill(0);
  const prevalence = y.reduce((a, b) => a + b, 0) / Math.max(1, y.length);
  beta[0] = Math.log(Math.max(prevalence, 1e-6) / Math.max(1 - prevalence, 1e-6));
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations && !converged) {
    iterations++;
    const hessian = Array.from({ length: p }, () => new Array<number>(p).fill(0));
    const gradient = new Array<number>(p).fill(0);
    for (let i = 0; i < z.length; i++) {
      const zi = z[i]!;
      let eta = 0;
      for (let j = 0; j < p; j++) {
        eta += beta[j]! * zi[j]!;
      }
      const mu = sigmoid(eta);
      const w = Math.max(mu * (1 - mu), 1e-10);
      const residual = y[i]! - mu;
      for (let j = 0; j < p; j++) {
        gradient[j]! += residual * zi[j]!;
        const wz = w * zi[j]!;
        for (let k = 0; k <= j; k++) {
          hessian[j]![k]! += wz * zi[k]!;
        }
      }
    }
    for (let j = 0; j < p; j++) {
      for (let k = 0; k < j; k++) {
        hessian[k]![j] = hessian[j]![k]!;
      }
      if (j > 0) {
        hessian[j]![j]! += lambda;
        gradient[j]! -= lambda * beta[j]!;
      }
    }
    const step = solveSpd(hessian, gradient);
    // Step halving: a full Newton step can overshoot on small or nearly separable data (a few
    // admissions among a few hundred people); take the largest step that does not lower the
    // penalised log-likelihood.
    const before = penalisedLogLikelihood(z, y, beta, lambda);
    let scale = 1;
    let next = beta.map((b, j) => b + step[j]!);
    while (penalisedLogLikelihood(z, y, next, lambda) < before - 1e-12 && scale > 1e-6) {
      scale /= 2;
      next = beta.map((b, j) => b + scale * step[j]!);
    }
    beta = next;
    converged = scale * Math.max(...step.map(Math.abs)) < tolerance;
  }
  return { intercept: beta[0]!, coefficients: beta.slice(1), means, sds, lambda, iterations, converged };
}

/** The linear predictor's terms for one row: each feature's contribution relative to the average person. */
export function contributions(
  model: Pick<FittedLogistic, 'coefficients' | 'means' | 'sds'>,
  row: readonly number[],
): number[] {
  return model.coefficients.map((b, j) => (b * (row[j]! - model.means[j]!)) / model.sds[j]!);
}

/** The probability for one row. */
export function predict(
  model: Pick<FittedLogistic, 'intercept' | 'coefficients' | 'means' | 'sds'>,
  row: readonly number[],
): number {
  let eta = model.intercept;
  for (let j = 0; j < model.coefficients.length; j++) {
    eta += (model.coefficients[j]! * (row[j]! - model.means[j]!)) / model.sds[j]!;
  }
  return sigmoid(eta);
}
