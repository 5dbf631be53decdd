/** Sign-in: the operator token goes in a password field and a POST body, never in the URL or browser storage. */
import { h, show } from '../dom';
import { signIn, type Session } from '../http';

export function signInPage(app: HTMLElement, signedIn: (session: Session) => void) {
  const token = h('input', { type: 'password', id: 'token', name: 'token', required: true, autocomplete: 'current-password' });
  const message = h('p', { class: 'error', role: 'alert' });
  const form = h(
    'form',
    {
      class: 'sign-in',
      onsubmit: (event: Event) => {
        event.preventDefault();
        show(message);
        signIn(token.value)
          .then((session) => {
            token.value = '';
            signedIn(session);
          })
          .catch((err: unknown) => show(message, (err as Error).message));
      },
    },
    h('h1', {}, 'paysaga console'),
    h('label', { for: 'token' }, 'Operator token'),
    token,
    h('button', { type: 'submit' }, 'Sign in'),
    message,
  );
  show(app, form);
  token.focus();
}
