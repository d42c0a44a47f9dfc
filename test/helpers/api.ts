import type { AlertRule } from '@district-monitor/streams';

/** A JSON request with a bearer token; throws with the status and body when it is not 2xx. */
export async function apiJson<T>(
  url: string,
  token: string,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<T> {
  const response = await fetch(`${url}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${text}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** Switches every rule of the region off (an admin's PUT), so a test runs only the rules it creates. */
export async function disableAllRules(url: string, adminToken: string): Promise<void> {
  const { rules } = await apiJson<{ rules: AlertRule[] }>(url, adminToken, '/api/rules');
  for (const rule of rules) {
    const { id, region: _region, updatedAt: _at, updatedBy: _by, ...input } = rule;
    await apiJson(url, adminToken, `/api/rules/${id}`, { method: 'PUT', body: { ...input, enabled: false } });
  }
}

/** A category rule that fires on any suicide report within 10 minutes: one report per district fires them all. */
export function suicideProbeRule(id: string): Record<string, unknown> {
  return {
    id,
    name: 'Any suicide report in 10 minutes',
    severity: 'high',
    category: 'suicide',
    condition: { kind: 'category', windowMinutes: 10, threshold: 1, clear: 1 },
    escalation: [{ name: 'station', afterSeconds: 0 }],
  };
}
