/**
 * A minimal browser for HTTP-level inbox tests: real requests with fetch, a cookie jar, no
 * automatic redirects (tests look at each hop), the Origin a browser would send on a POST, and
 * helpers to sign in and to read hidden form fields off a page.
 */
import assert from 'node:assert/strict';

export interface Hop {
  status: number;
  location: string | null;
  body: string;
  headers: Headers;
}

export class Agent {
  readonly cookies = new Map<string, string>();

  constructor(readonly base: string) {}

  private remember(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(
    method: string,
    path: string,
    init: { body?: string; headers?: Record<string, string> } = {},
  ): Promise<Hop> {
    const res = await fetch(new URL(path, this.base), {
      method,
      redirect: 'manual',
      headers: { ...(this.cookies.size && { cookie: this.cookieHeader() }), ...init.headers },
      ...(init.body !== undefined && { body: init.body }),
    });
    this.remember(res.headers);
    return {
      status: res.status,
      location: res.headers.get('location'),
      body: await res.text(),
      headers: res.headers,
    };
  }

  get(path: string): Promise<Hop> {
    return this.request('GET', path);
  }

  /** A form POST as a browser sends it from a page of `origin` (default: the inbox itself). */
  postForm(
    path: string,
    fields: Record<string, string>,
    options: { origin?: string | null } = {},
  ): Promise<Hop> {
    const origin = options.origin === undefined ? new URL(this.base).origin : options.origin;
    return this.request('POST', path, {
      body: new URLSearchParams(fields).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(origin !== null && { origin }),
      },
    });
  }

  /** Opens the sign-in page and submits it; returns the answer to the POST. */
  async signIn(user: string, password: string, next?: string): Promise<Hop> {
    const page = await this.get(next ? `/login?next=${encodeURIComponent(next)}` : '/login');
    assert.equal(page.status, 200, page.body);
    return this.postForm('/login', {
      csrf: field(page.body, 'csrf'),
      next: field(page.body, 'next'),
      user,
      password,
    });
  }
}

/** The value of the first hidden input named `name` on a page. */
export function field(htmlText: string, name: string, occurrence = 0): string {
  const matches = [...htmlText.matchAll(new RegExp(`name="${name}" value="([^"]*)"`, 'g'))];
  const value = matches[occurrence]?.[1];
  assert.ok(value !== undefined, `no hidden field ${name} on the page`);
  return value
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

export function approvalPath(workflowId: string): string {
  return `/approvals/${encodeURIComponent(workflowId)}`;
}

/** JSON API calls with an optional bearer token. */
export async function api(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(new URL(path, base), {
    method,
    headers: {
      ...(options.body !== undefined && { 'content-type': 'application/json' }),
      ...(options.token && { authorization: `Bearer ${options.token}` }),
      ...options.headers,
    },
    ...(options.body !== undefined && {
      body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
