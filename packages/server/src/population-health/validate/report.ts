/** The validation report as Markdown (what `careweave risk validate` prints). */
import { FEATURES } from '../features/features.ts';
import type { Evaluation, ValidationReport } from './validate.ts';

/** Published AUCs the brief compares with (docs/RISK-MODEL.md, "How it compares"). */
export const REFERENCE_MODELS = [
  { name: 'PARR (Patients at Risk of Re-hospitalisation)', auc: 0.7 },
  { name: 'QAdmissions', auc: 0.77 },
  { name: 'ACG (Johns Hopkins Adjusted Clinical Groups)', auc: 0.8 },
] as const;

const pct = (x: number, digits = 1): string => (Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : 'n/a');
const num = (x: number, digits = 3): string => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

function evaluationLines(title: string, e: Evaluation): string[] {
  return [
    `### ${title}`,
    '',
    `${e.patients} people, ${e.admitted} with an emergency admission in the year (${pct(e.admitted / Math.max(1, e.patients))}).`,
    '',
    `- **AUC ${num(e.auc.auc)}** (95% CI ${num(e.auc.lower)}–${num(e.auc.upper)}, DeLong)`,
    `- Brier score ${num(e.brier, 4)}`,
    '',
    '| Flagged | People | Admitted among them | PPV | Sensitivity |',
    '| --- | --- | --- | --- | --- |',
    ...e.top.map(
      (t) =>
        `| top ${pct(t.fraction, 1)} | ${t.flagged} | ${t.truePositives} | ${pct(t.ppv)} | ${pct(t.sensitivity)} |`,
    ),
    '',
    '| Decile of predicted risk | People | Mean predicted | Observed |',
    '| --- | --- | --- | --- |',
    ...e.calibration.map(
      (b) => `| ${b.decile} | ${b.count} | ${pct(b.meanPredicted, 2)} | ${pct(b.observedRate, 2)} |`,
    ),
    '',
  ];
}

export function reportMarkdown(report: ValidationReport): string {
  const s = report.splitSample;
  const model = s.model;
  const lines = [
    '# Emergency admission risk model: validation report',
    '',
    `Population: ${report.population} (${report.patients} patients); record ends ${report.dataEnd}.`,
    `Fitted at ${s.indexDate} on ${s.trained.patients} people (${s.trained.admitted} admitted in the following year);`,
    'tested on the held-out third (a stable hash of the patient id), who were not used to fit it.',
    '',
    ...evaluationLines('Split-sample validation (held-out people, same period)', s.test),
    ...evaluationLines(
      `Temporal validation (fitted at ${report.temporal.trainIndexDate} on ${report.temporal.trained.patients} people; tested at ${report.temporal.testIndexDate} on the held-out people)`,
      report.temporal.test,
    ),
    ...(report.published
      ? evaluationLines(`Published model ${report.published.version} on the held-out people`, report.published.test)
      : []),
    '### How it compares',
    '',
    '| Model | AUC |',
    '| --- | --- |',
    `| This model (split-sample) | ${num(s.test.auc.auc)} (${num(s.test.auc.lower)}–${num(s.test.auc.upper)}) |`,
    ...REFERENCE_MODELS.map((r) => `| ${r.name} (published) | ~${r.auc.toFixed(2)} |`),
    '',
    'Published figures come from other populations and outcome definitions; they are a yardstick, not a like-for-like test.',
    '',
    '### Coefficients (split-sample fit, per standard deviation of each input)',
    '',
    '| Input | Coefficient | Odds ratio per SD |',
    '| --- | --- | --- |',
    ...model.coefficients.map((b, j) => `| ${FEATURES[j]!.name} | ${b.toFixed(3)} | ${Math.exp(b).toFixed(2)} |`),
    `| (intercept) | ${model.intercept.toFixed(3)} | |`,
    '',
    `Band cut-offs (probability): very high ≥ ${num(model.cutoffs.veryHigh)}, high ≥ ${num(model.cutoffs.high)}, moderate ≥ ${num(model.cutoffs.moderate)}.`,
    '',
  ];
  return lines.join('\n');
}
