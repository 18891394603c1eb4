import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { accessToken, onUnauthorised } from '../auth/session.ts';
import { ApiError, outcomeText, plainWords } from './errors.ts';

export const FHIR_BASE = '/fhir/R4';

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * Calls the CareWeave API (same origin) with the signed-in user's token and returns the JSON
 * body. Any failure becomes an ApiError whose message is plain words plus the server's diagnostics.
 */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const token = accessToken();
  const headers: Record<string, string> = { accept: 'application/fhir+json, application/json', ...options.headers };
  if (token) {
    headers.authorization = `Bearer ${token}`;
  }
  // The app's own searches are strict: a mistyped parameter is an error the developer sees at once,
  // never a search that silently ignores it and shows every patient (issue 10, item 13).
  if ((options.method ?? 'GET') === 'GET' && path.startsWith(FHIR_BASE) && path.includes('?')) {
    headers.prefer ??= 'handling=strict';
  }
  if (options.body !== undefined) {
    headers['content-type'] ??= path.startsWith(FHIR_BASE) ? 'application/fhir+json' : 'application/json';
  }
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') {
      throw error;
    }
    throw new ApiError(0, plainWords(0, ''));
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const outcome =
      (json as Resource | undefined)?.resourceType === 'OperationOutcome' ? (json as OperationOutcome) : undefined;
    const serverText = outcome
      ? outcomeText(outcome)
      : typeof (json as { message?: unknown })?.message === 'string'
        ? String((json as { message: string }).message)
        : '';
    if (response.status === 401) {
      onUnauthorised();
    }
    throw new ApiError(response.status, plainWords(response.status, serverText), outcome);
  }
  return json as T;
}

export const fhirGet = <T extends Resource>(path: string, signal?: AbortSignal): Promise<T> =>
  api<T>(`${FHIR_BASE}/${path}`, { signal });

export const fhirPost = <T extends Resource>(path: string, body: unknown): Promise<T> =>
  api<T>(`${FHIR_BASE}/${path}`, { method: 'POST', body });

export const fhirPut = <T extends Resource>(path: string, body: unknown, version?: string): Promise<T> =>
  api<T>(`${FHIR_BASE}/${path}`, { method: 'PUT', body, headers: version ? { 'if-match': `W/"${version}"` } : {} });

/** Runs a search and returns the matching resources of every page (up to `maxPages`). */
export async function searchAll<T extends Resource>(
  type: string,
  params: Record<string, string>,
  options: { maxPages?: number; signal?: AbortSignal } = {},
): Promise<{ resources: T[]; included: Resource[]; outcomes: OperationOutcome[] }> {
  const resources: T[] = [];
  const included: Resource[] = [];
  const outcomes: OperationOutcome[] = [];
  let url: string | undefined = `${FHIR_BASE}/${type}?${new URLSearchParams(params).toString()}`;
  for (let page = 0; url && page < (options.maxPages ?? 10); page++) {
    const bundle: Bundle = await api<Bundle>(url, { signal: options.signal });
    for (const entry of bundle.entry ?? []) {
      if (!entry.resource) {
        continue;
      }
      if (entry.search?.mode === 'outcome' || entry.resource.resourceType === 'OperationOutcome') {
        outcomes.push(entry.resource as OperationOutcome);
      } else if (entry.search?.mode === 'include') {
        included.push(entry.resource);
      } else {
        resources.push(entry.resource as T);
      }
    }
    const next = bundle.link?.find((l) => l.relation === 'next')?.url;
    url = next
      ? new URL(next, window.location.origin).pathname + new URL(next, window.location.origin).search
      : undefined;
  }
  return { resources, included, outcomes };
}

/** `Parameters` for an operation: strings as valueString, `{ reference }` as valueReference. */
export function parameters(values: Record<string, string | { reference: string } | undefined>): Resource {
  return {
    resourceType: 'Parameters',
    parameter: Object.entries(values)
      .filter(([, value]) => value !== undefined && value !== '')
      .map(([name, value]) =>
        typeof value === 'string' ? { name, valueString: value } : { name, valueReference: value },
      ),
  };
}
