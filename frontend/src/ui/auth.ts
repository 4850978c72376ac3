// The sign-in control in the top bar: a button that opens a small form, or,
// when signed in, names the account and its role and offers to sign out.
import { el, clear } from '../dom';
import { t } from '../i18n';
import type { Session } from '../session';
import type { Lang } from '../types';

export function roleLabel(role: string, lang: Lang): string {
  if (role === 'admin') return t(lang, 'role.admin');
  if (role === 'editor') return t(lang, 'role.editor');
  return role;
}

export class AuthControl {
  private open = false;
  private error = '';
  private busy = false;
  private lang: Lang = 'zh';

  constructor(
    private root: HTMLElement,
    private session: Session,
  ) {
    session.onChange(() => {
      this.open = false;
      this.error = '';
      this.render(this.lang);
    });
    // Capturing on window runs before the app's own Escape (which closes the detail).
    window.addEventListener(
      'keydown',
      (e) => {
        if (e.key === 'Escape' && this.open) {
          e.stopPropagation();
          this.toggle(false);
        }
      },
      { capture: true },
    );
    document.addEventListener('pointerdown', (e) => {
      if (this.open && !this.root.contains(e.target as Node)) this.toggle(false);
    });
  }

  private toggle(open: boolean): void {
    this.open = open;
    this.error = '';
    this.render(this.lang);
    if (open) this.root.querySelector<HTMLElement>('input, .auth-pop button')?.focus();
    else this.root.querySelector<HTMLElement>('.auth-button')?.focus();
  }

  render(lang: Lang): void {
    this.lang = lang;
    clear(this.root);
    const info = this.session.info;
    const button = el(
      'button',
      {
        type: 'button',
        class: 'auth-button',
        'aria-expanded': this.open ? 'true' : 'false',
        'aria-controls': 'auth-pop',
        'data-testid': 'auth-button',
        onclick: () => this.toggle(!this.open),
      },
      info ? t(lang, 'auth.who', { user: info.username, role: roleLabel(String(info.role), lang) }) : t(lang, 'auth.signin'),
    );
    this.root.append(button);
    if (!this.open) return;
    const pop = el('div', { class: 'auth-pop', id: 'auth-pop', 'data-testid': 'auth-pop' });
    if (info) {
      pop.append(
        el('p', { 'data-testid': 'auth-who' }, t(lang, 'auth.signedin', { user: info.username, role: roleLabel(String(info.role), lang) })),
        el(
          'button',
          {
            type: 'button',
            class: 'primary',
            'data-testid': 'auth-signout',
            onclick: async () => {
              await this.session.signOut().catch(() => undefined);
            },
          },
          t(lang, 'auth.signout'),
        ),
      );
    } else {
      const user = el('input', { type: 'text', name: 'username', id: 'auth-user', autocomplete: 'username', required: true, 'data-testid': 'auth-username' });
      const pass = el('input', { type: 'password', name: 'password', id: 'auth-pass', autocomplete: 'current-password', required: true, 'data-testid': 'auth-password' });
      const err = el('p', { class: 'form-error', role: 'alert', 'data-testid': 'auth-error' }, this.error);
      const form = el(
        'form',
        { class: 'auth-form', 'aria-label': t(lang, 'auth.title') },
        el('h2', null, t(lang, 'auth.title')),
        el('label', { for: 'auth-user' }, t(lang, 'auth.username')),
        user,
        el('label', { for: 'auth-pass' }, t(lang, 'auth.password')),
        pass,
        err,
        el(
          'div',
          { class: 'buttons' },
          el('button', { type: 'submit', class: 'primary', disabled: this.busy, 'data-testid': 'auth-submit' }, t(lang, 'auth.submit')),
          el('button', { type: 'button', onclick: () => this.toggle(false) }, t(lang, 'auth.cancel')),
        ),
      );
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        if (this.busy) return;
        this.busy = true;
        try {
          await this.session.signIn(user.value.trim(), pass.value);
        } catch (ex) {
          this.busy = false;
          this.error = t(lang, 'auth.failed', { msg: (ex as Error).message });
          err.textContent = this.error;
          pass.value = '';
          pass.focus();
          return;
        }
        this.busy = false;
      });
      pop.append(form);
    }
    this.root.append(pop);
  }
}
