// DOM building and formatting. Every value the registry sends is put in the page as text
// (textContent, attributes), never parsed as HTML.

/** A child of `h`: nodes, and strings and numbers as text; arrays are flattened, null/false/undefined skipped. */
export type Child = Node | string | number | null | undefined | false | readonly Child[];

/** Attributes of `h`: `on*` functions become listeners; `true` sets a boolean attribute; null/undefined/false are left out. */
export type Attributes = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

/**
 * An element with attributes and children.
 *
 * @example
 * h('button', { class: 'button', onclick: move }, 'Move')
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') {
      if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
    } else if (value === true) element.toggleAttribute(key, true);
    else element.setAttribute(key, String(value));
  }
  append(element, children);
  return element;
}

/** Appends children (see `Child`). */
export function append<E extends Element>(parent: E, children: readonly Child[]): E {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replaces an element's children. */
export function replace<E extends Element>(parent: E, ...children: Child[]): E {
  parent.replaceChildren();
  return append(parent, children);
}

/** The element with this id, which the page is known to have. */
export function byId<E extends HTMLElement = HTMLElement>(id: string): E {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the dashboard page has no #${id}`);
  return element as E;
}

// Tags that mean something to most teams get their own colour; any other tag is neutral.
const TAG_TONES: Record<string, string> = {
  stable: 'green',
  production: 'green',
  prod: 'green',
  canary: 'amber',
  beta: 'amber',
  next: 'amber',
  latest: 'blue',
};

export function tagBadge(tag: string): HTMLSpanElement {
  return h('span', { class: `badge tag tone-${TAG_TONES[tag] ?? 'indigo'}` }, tag);
}

export function badge(text: string, tone = 'grey', title?: string): HTMLSpanElement {
  return h('span', { class: `badge tone-${tone}`, title }, text);
}

/** A version, in the monospace face the page uses for every version. */
export function versionText(version: string | null | undefined, extraClass = ''): HTMLSpanElement {
  return h('span', { class: `version ${extraClass}`.trim() }, version ?? '—');
}

/** `<time>` showing "5 min ago", with the absolute local and UTC time on hover; kept fresh by `refreshTimes`. */
export function timeAgo(iso: string | null | undefined): HTMLElement {
  if (!iso) return h('span', { class: 'muted' }, '—');
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return h('span', {}, iso);
  return h('time', { datetime: iso, title: `${date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' })} (${iso})` }, relative(date));
}

/** Re-renders every relative time on the page, so "just now" does not stay "just now". */
export function refreshTimes(root: ParentNode = document): void {
  for (const element of root.querySelectorAll('time[datetime]')) element.textContent = relative(new Date(element.getAttribute('datetime') ?? ''));
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** The start of a long id (token ids, instance ids), with the whole id on hover. */
export function shortId(id: string, length = 8): HTMLSpanElement {
  return h('span', { class: 'mono', title: id }, id.length > length + 1 ? `${id.slice(0, length)}…` : id);
}

/** Who made a change: the admin, or a token by its id. */
export function actor(id: string): HTMLSpanElement {
  if (id === 'admin' || id === 'anonymous') return h('span', {}, id);
  return h('span', { class: 'actor' }, 'token ', shortId(id));
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** A titled panel of a remote's card. */
export function panel(title: Child, ...body: Child[]): HTMLElement {
  return h('section', { class: 'panel' }, h('header', { class: 'panel-header' }, title), ...body);
}

export function emptyState(text: string): HTMLParagraphElement {
  return h('p', { class: 'empty' }, text);
}

/** A table head; a column given as [title, class] gets that class (e.g. 'num'). */
export function tableHead(columns: readonly (string | readonly [string, string])[]): HTMLTableSectionElement {
  return h(
    'thead',
    {},
    h(
      'tr',
      {},
      columns.map((column) => (typeof column === 'string' ? h('th', { scope: 'col' }, column) : h('th', { class: column[1], scope: 'col' }, column[0]))),
    ),
  );
}

// --- internal ---

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function relative(date: Date): string {
  const seconds = Math.round((Date.now() - date.getTime()) / 1000);
  // A few seconds in the future is clock skew between the registry and this browser.
  if (seconds < 10) return 'just now';
  if (seconds < MINUTE) return `${seconds} s ago`;
  if (seconds < HOUR) return `${Math.floor(seconds / MINUTE)} min ago`;
  if (seconds < DAY) return `${Math.floor(seconds / HOUR)} h ago`;
  if (seconds < 30 * DAY) return `${Math.floor(seconds / DAY)} d ago`;
  return date.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}
