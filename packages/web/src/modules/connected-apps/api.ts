import { api } from '../../api/client.ts';

/** `/api/connected-apps` (packages/server/src/auth/connected-apps.ts); the types are its contract. */
const BASE = '/api/connected-apps';
export const CONNECTED_APPS_KEY = ['connected-apps'] as const;

export interface ConnectedApp {
  clientId: string;
  name: string;
  /** What the person allowed it, in plain words. */
  allowed: string[];
  scopes: string[];
  grantedAt: string;
}

export const listConnectedApps = (): Promise<ConnectedApp[]> => api<ConnectedApp[]>(BASE);

export const stopApp = (clientId: string): Promise<{ revokedGrants: number }> =>
  api(`${BASE}/${encodeURIComponent(clientId)}`, { method: 'DELETE' });
