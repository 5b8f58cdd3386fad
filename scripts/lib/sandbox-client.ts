/** Calls the sandbox's own HTTP API (faults, scenarios, clock) with the stack's credentials. */
import type { SiteConfig } from '../../temporal.config.ts';

export async function sandboxRequest(
  baseUrl: string,
  env: NodeJS.ProcessEnv,
  site: SiteConfig,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<unknown> {
  const mqweb = site.mq.mqweb;
  const headers: Record<string, string> = { 'ibm-mq-rest-csrf-token': 'jincai' };
  if (mqweb) {
    const token = Buffer.from(`${env[mqweb.userEnv] ?? ''}:${env[mqweb.passwordEnv] ?? ''}`).toString(
      'base64',
    );
    headers.authorization = `Basic ${token}`;
  }
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(new URL(path, baseUrl), {
    method,
    headers,
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`Sandbox ${method} ${path} answered ${res.status}: ${text}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}
