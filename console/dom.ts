/** Building the page from code: elements with text nodes only (never HTML strings), so no data can inject markup. */
export type Child = Node | string | number | null | undefined | false | Child[];
type Attrs = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, ''), value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el: Element, children: Child[]) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces what `el` shows. */
export function show(el: Element, ...children: Child[]) {
  el.replaceChildren();
  append(el, children);
}

/** "4s", "2m 05s", "1h 02m": how long, for people. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export const time = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour12: false });
export const dateTime = (iso: string) => new Date(iso).toLocaleString(undefined, { hour12: false });

/** A `<time>` that shows how long ago `iso` was (or how long until it), kept current by the page's ticker. */
export function relative(iso: string, mode: 'since' | 'until'): HTMLTimeElement {
  return h('time', { datetime: iso, 'data-relative': mode, title: dateTime(iso) }, relativeText(iso, mode));
}

function relativeText(iso: string, mode: 'since' | 'until') {
  const delta = Date.parse(iso) - Date.now();
  if (mode === 'since') return duration(-delta);
  return delta >= 0 ? `in ${duration(delta)}` : `${duration(-delta)} ago`;
}

/** Renews every relative time on the page once a second. */
export function startTicker(): () => void {
  const timer = setInterval(() => {
    for (const el of document.querySelectorAll<HTMLTimeElement>('time[data-relative]'))
      el.textContent = relativeText(el.dateTime, el.dataset.relative === 'until' ? 'until' : 'since');
  }, 1000);
  return () => clearInterval(timer);
}

export function statusBadge(status: string): HTMLSpanElement {
  return h('span', { class: `badge status-${status.toLowerCase().replace(/_/g, '-')}` }, status.replace(/_/g, ' '));
}
