/**
 * The operator console: sign-in, then a page per hash route (#/queue, #/search, #/payments/<id>,
 * #/dead-letters). Each page returns what stops its live updates when the operator leaves it.
 */
import { h, show, startTicker } from './dom';
import { currentSession, signOut, type Session } from './http';
import { deadLettersPage } from './views/dead-letters';
import { paymentPage } from './views/payment';
import { queuePage } from './views/queue';
import { searchPage } from './views/search';
import { signInPage } from './views/sign-in';

export interface Page {
  /** Stops the page's streams and timers. */
  stop(): void;
}
export type PageContext = { session: Session; root: HTMLElement };

const app = document.getElementById('app')!;

function route(ctx: PageContext): Page {
  const [, name = 'queue', arg] = /^#\/([a-z-]+)(?:\/([^?]+))?(?:\?.*)?$/.exec(location.hash) ?? [];
  switch (name) {
    case 'payments':
      return paymentPage(ctx, decodeURIComponent(arg ?? ''));
    case 'search':
      return searchPage(ctx, new URLSearchParams(location.hash.split('?')[1] ?? '').get('q') ?? '');
    case 'dead-letters':
      return deadLettersPage(ctx);
    default:
      return queuePage(ctx);
  }
}

function shell(session: Session) {
  const root = h('section', { id: 'page' });
  const link = (hash: string, text: string) =>
    h(
      'a',
      { href: hash, class: location.hash.startsWith(hash) || (!location.hash && hash === '#/queue') ? 'active' : undefined },
      text,
    );
  const nav = h('nav', {});
  const renderNav = () =>
    show(nav, link('#/queue', 'Review queue'), link('#/search', 'Search'), link('#/dead-letters', 'Dead letters'));
  renderNav();
  show(
    app,
    h(
      'header',
      {},
      h('a', { href: '#/queue', class: 'brand' }, 'paysaga'),
      nav,
      h(
        'span',
        { class: 'who' },
        h('a', { href: session.temporalUiUrl, target: '_blank', rel: 'noopener' }, 'Temporal Web UI'),
        h('span', { id: 'operator' }, session.operator),
        h(
          'button',
          {
            type: 'button',
            class: 'link',
            onclick: () => void signOut().then(() => location.reload()),
          },
          'Sign out',
        ),
      ),
    ),
    root,
  );
  let page = route({ session, root });
  window.addEventListener('hashchange', () => {
    page.stop();
    renderNav();
    page = route({ session, root });
  });
}

async function start() {
  startTicker();
  const session = await currentSession();
  if (session) shell(session);
  else signInPage(app, shell);
}

start().catch((err: unknown) => show(app, h('p', { class: 'error' }, `The console could not start: ${String(err)}`)));
