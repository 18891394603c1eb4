import { createHash, randomBytes } from 'node:crypto';

interface Cookie {
  name: string;
  value: string;
  path: string;
  host: string;
}

export interface Step {
  url: string;
  status: number;
  location?: string;
  body: string;
  headers: Headers;
}

/**
 * Just enough of a browser for sign-in tests: a cookie jar (by host and path, ignoring the port,
 * as browsers do), manual redirects, form posts.
 */
export class Browser {
  private cookies: Cookie[] = [];
  readonly history: Step[] = [];

  cookieHeader(url: URL): string {
    return this.cookies
      .filter((c) => c.host === url.hostname && url.pathname.startsWith(c.path))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  private store(url: URL, headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      let path = '/';
      let expired = false;
      for (const attribute of attributes) {
        const [key, val] = attribute.split('=');
        if (key!.toLowerCase() === 'path' && val) {
          path = val;
        }
        if (key!.toLowerCase() === 'expires' && val && new Date(val).getTime() < Date.now()) {
          expired = true;
        }
        if (key!.toLowerCase() === 'max-age' && Number(val) <= 0) {
          expired = true;
        }
      }
      this.cookies = this.cookies.filter((c) => !(c.name === name && c.path === path && c.host === url.hostname));
      if (!expired && value !== '') {
        this.cookies.push({ name, value, path, host: url.hostname });
      }
    }
  }

  async request(
    url: string,
    init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<Step> {
    const target = new URL(url);
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    const cookie = this.cookieHeader(target);
    if (cookie) {
      headers.cookie = cookie;
    }
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(target, {
      method: init.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
      redirect: 'manual',
    });
    this.store(target, response.headers);
    const location = response.headers.get('location');
    const step: Step = {
      url: target.href,
      status: response.status,
      body: await response.text(),
      headers: response.headers,
      ...(location ? { location: new URL(location, target).href } : {}),
    };
    this.history.push(step);
    return step;
  }

  /** Follows redirects until a page is shown or the browser is sent to `stopAt` (e.g. the app's redirect URI). */
  async follow(
    url: string,
    init: { method?: string; form?: Record<string, string> } = {},
    stopAt?: string,
  ): Promise<Step> {
    let step = await this.request(url, init);
    for (let i = 0; i < 20 && step.location && step.status >= 300 && step.status < 400; i++) {
      if (stopAt && step.location.startsWith(stopAt)) {
        return step;
      }
      step = await this.request(step.location);
    }
    return step;
  }
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function formAction(html: string, base: string): string {
  const match = /<form[^>]*action="([^"]+)"/.exec(html);
  if (!match) {
    throw new Error(`no form in page:\n${html.slice(0, 2000)}`);
  }
  return new URL(match[1]!.replace(/&amp;/g, '&'), base).href;
}

export function radioValues(html: string, name: string): string[] {
  return [...html.matchAll(new RegExp(`name="${name}" type="radio" value="([^"]+)"`, 'g'))].map((m) => m[1]!);
}

export interface SignInOptions {
  baseUrl: string;
  username: string;
  password: string;
  scope: string;
  redirectUri: string;
  /** Which role profile to pick when asked (index in the page's list). */
  profileIndex?: number;
  /** Where to post the login form (another instance), default baseUrl. */
  loginBaseUrl?: string;
  clientId?: string;
}

export interface SignInResult {
  code?: string;
  verifier: string;
  /** The last page shown when no code came back (error, lockout, ...). */
  page?: Step;
  browser: Browser;
}

/** Authorization code + PKCE through the login page, as the web app would. */
export async function signIn(options: SignInOptions, browser = new Browser()): Promise<SignInResult> {
  const { verifier, challenge } = pkce();
  const state = randomBytes(8).toString('hex');
  const authorize = new URL(`${options.baseUrl}/auth/authorize`);
  authorize.search = new URLSearchParams({
    client_id: options.clientId ?? 'careweave-web',
    response_type: 'code',
    redirect_uri: options.redirectUri,
    scope: options.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  let page = await browser.follow(authorize.href, {}, options.redirectUri);
  if (page.status !== 200) {
    return { verifier, page, browser };
  }
  const loginUrl = new URL(formAction(page.body, page.url));
  if (options.loginBaseUrl) {
    const other = new URL(options.loginBaseUrl);
    loginUrl.host = other.host;
  }
  page = await browser.follow(
    loginUrl.href,
    { form: { username: options.username, password: options.password } },
    options.redirectUri,
  );
  if (page.status === 200 && page.body.includes('name="profile"')) {
    const values = radioValues(page.body, 'profile');
    page = await browser.follow(
      formAction(page.body, page.url),
      { form: { profile: values[options.profileIndex ?? 0]! } },
      options.redirectUri,
    );
  }
  if (page.location?.startsWith(options.redirectUri)) {
    const params = new URL(page.location).searchParams;
    if (params.get('state') !== state) {
      throw new Error('state mismatch');
    }
    const code = params.get('code');
    return { verifier, browser, ...(code ? { code } : { page }) };
  }
  return { verifier, page, browser };
}

export async function exchangeCode(
  baseUrl: string,
  code: string,
  verifier: string,
  redirectUri: string,
  clientId = 'careweave-web',
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${baseUrl}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: clientId,
      code_verifier: verifier,
    }),
  });
  return { status: response.status, body: await response.json() };
}
