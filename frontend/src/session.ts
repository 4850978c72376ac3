// Who is signed in, and every write the app makes. A session is the
// HttpOnly cookie planmap sets; the page only keeps the CSRF token that
// every write must send. Anonymous visitors never ask the server about a
// session (a flag in localStorage says whether one may exist), so a
// planner's first load makes no extra request.
import { ApiError } from './api';
import type { Role, SessionInfo, Upload } from './types';

const FLAG = 'planmap.session';
const RANK: Record<string, number> = { editor: 1, admin: 2 };

/** Whether a role may do what needs another: admin can do all an editor can. */
export function roleCan(have: string | null | undefined, need: Role): boolean {
  return (RANK[have ?? ''] ?? 0) >= RANK[need];
}

function sameOrigin(path: string): URL {
  const u = new URL(path, location.href);
  if (u.origin !== location.origin) throw new ApiError(`refusing to send to another origin: ${u.origin}`, 0);
  return u;
}

async function errorOf(res: Response, path: string): Promise<ApiError> {
  let msg = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { message?: string };
    if (body && typeof body.message === 'string') msg = body.message;
  } catch {
    /* not JSON */
  }
  return new ApiError(msg || path, res.status);
}

function remember(on: boolean): void {
  try {
    if (on) localStorage.setItem(FLAG, '1');
    else localStorage.removeItem(FLAG);
  } catch {
    /* storage may be off */
  }
}

function remembered(): boolean {
  try {
    return localStorage.getItem(FLAG) === '1';
  } catch {
    return true;
  }
}

export interface SendOptions {
  json?: unknown;
  headers?: Record<string, string>;
}

export class Session {
  info: SessionInfo | null = null;
  private listeners: ((s: SessionInfo | null) => void)[] = [];

  onChange(fn: (s: SessionInfo | null) => void): void {
    this.listeners.push(fn);
  }

  private set(info: SessionInfo | null): void {
    this.info = info;
    remember(!!info);
    for (const fn of this.listeners) fn(info);
  }

  can(role: Role): boolean {
    return roleCan(this.info?.role, role);
  }

  /** Picks up a session from an earlier visit, if this browser signed in before. */
  async restore(): Promise<void> {
    if (!remembered()) return;
    try {
      const res = await fetch(sameOrigin('/auth/session'), { headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' });
      this.set(res.ok ? ((await res.json()) as SessionInfo) : null);
    } catch {
      this.set(null);
    }
  }

  async signIn(username: string, password: string): Promise<SessionInfo> {
    const res = await fetch(sameOrigin('/auth/session'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify({ username, password }),
    });
    if (!res.ok) throw await errorOf(res, '/auth/session');
    const info = (await res.json()) as SessionInfo;
    this.set(info);
    return info;
  }

  async signOut(): Promise<void> {
    const token = this.info?.csrf_token ?? '';
    try {
      await fetch(sameOrigin('/auth/session'), { method: 'DELETE', headers: { 'X-CSRF-Token': token }, credentials: 'same-origin' });
    } finally {
      this.set(null);
    }
  }

  /** A write (or an editor's read) with the CSRF token; answers the parsed JSON, or null for 204. */
  async send<T>(method: string, path: string, opts: SendOptions = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json', ...(opts.headers ?? {}) };
    if (method !== 'GET' && this.info?.csrf_token) headers['X-CSRF-Token'] = this.info.csrf_token;
    let body: string | undefined;
    if (opts.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.json);
    }
    const res = await fetch(sameOrigin(path), { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
    if (res.status === 401 && this.info) this.set(null);
    if (!res.ok) throw await errorOf(res, path);
    if (res.status === 204) return null as T;
    return (await res.json()) as T;
  }

  /**
   * Sends a file as multipart/form-data, the options before the file so
   * planmap reads them first. XMLHttpRequest, not fetch, for the sending
   * progress of a large file.
   */
  uploadFile(file: File, opts: { crs: string; encoding: string; correct: boolean }, onSent: (sent: number, total: number) => void): Promise<Upload> {
    const form = new FormData();
    if (opts.crs) form.append('crs', opts.crs);
    if (opts.encoding) form.append('encoding', opts.encoding);
    form.append('correct', opts.correct ? 'true' : 'false');
    form.append('file', file, file.name);
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', sameOrigin('/uploads').href);
      xhr.setRequestHeader('Accept', 'application/json');
      if (this.info?.csrf_token) xhr.setRequestHeader('X-CSRF-Token', this.info.csrf_token);
      xhr.upload.onprogress = (e) => onSent(e.loaded, e.lengthComputable ? e.total : file.size);
      xhr.onerror = () => reject(new ApiError('the upload was cut off', 0));
      xhr.onload = () => {
        let body: { message?: string } & Partial<Upload> = {};
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          /* not JSON */
        }
        if (xhr.status === 202 || xhr.status === 200) resolve(body as Upload);
        else {
          if (xhr.status === 401 && this.info) this.set(null);
          reject(new ApiError(typeof body.message === 'string' ? body.message : `${xhr.status} ${xhr.statusText}`, xhr.status));
        }
      };
      xhr.send(form);
    });
  }
}
