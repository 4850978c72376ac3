// The one way this app makes elements: text goes in as text nodes, never as
// HTML, so a string from the data (which may come from an upload) cannot run
// as markup or script.

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

// Attributes that can carry a URL or script; set only through safeHref or not at all.
const FORBIDDEN = /^(on|style$|srcdoc$|formaction$)/i;
const URL_ATTRS = new Set(['href', 'src', 'action', 'xlink:href']);

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  append(node, ...children);
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  append(node, ...children);
  return node;
}

function setAttrs(node: Element, attrs?: Attrs | null): void {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === 'function') {
      if (!k.startsWith('on')) throw new Error(`listener for ${k} must be named on<event>`);
      node.addEventListener(k.slice(2).toLowerCase(), v);
      continue;
    }
    if (FORBIDDEN.test(k)) throw new Error(`attribute ${k} is not set from data`);
    if (URL_ATTRS.has(k.toLowerCase())) {
      const safe = safeHref(String(v));
      if (safe === null) continue;
      node.setAttribute(k, safe);
      continue;
    }
    node.setAttribute(k, v === true ? '' : String(v));
  }
}

export function append(node: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

/**
 * A link target that cannot run script: http(s) URLs and paths on this
 * origin. javascript:, data:, vbscript: and anything else give null.
 */
export function safeHref(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const s = raw.trim();
  if (!s) return null;
  let u: URL;
  try {
    u = new URL(s, location.href);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  return u.href;
}

/** Whether a link leaves this origin (it then opens in a new tab, without referrer). */
export function isExternal(href: string): boolean {
  try {
    return new URL(href, location.href).origin !== location.origin;
  } catch {
    return true;
  }
}
