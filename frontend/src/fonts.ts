// The page's own font: Noto Sans SC (OFL-1.1, from @fontsource/noto-sans-sc;
// see LICENSE-fonts.md), regular weight, as unicode-range faces that Vite
// copies to /assets/: one face of every character planmap's own texts use
// (src/plan-font.css, cut by fonts/plan_font.py; about 146 KB), and
// fontsource's subsets for any other character. The browser fetches only
// the faces the page's text needs: on a first load, the plan's face alone.
//
// The map draws its labels in the browser too (its style has no glyphs URL):
// MapLibre renders each character once on a canvas in the label's font
// family and keeps that bitmap. A canvas does not wait for a web font's
// subset: drawn before the subset has loaded, a character comes out in
// another font (or as a box on a machine without CJK fonts) and stays so.
// So the map is handed the text of a label layer only after the subsets
// that text needs have loaded (loadShippedFont), and label layers start
// hidden until then.

/** The shipped family, as the CSS declares it and as the map's `text-font` names it. */
export const SHIPPED_FAMILY = 'Noto Sans SC';

/** The CSS font shorthand MapLibre draws labels with (regular weight; the size does not matter for loading). */
export const SHIPPED_FONT = `400 16px "${SHIPPED_FAMILY}"`;

/** Every character of the texts once, in first-seen order (whitespace and control characters dropped). */
export function distinctChars(texts: Iterable<unknown>): string {
  const seen = new Set<string>();
  for (const t of texts) {
    if (typeof t !== 'string') continue;
    for (const ch of t) if (!/[\s\p{Cc}]/u.test(ch)) seen.add(ch);
  }
  return [...seen].join('');
}

/**
 * Loads the subsets of the shipped font that cover the texts' characters
 * (the browser fetches only those it has not yet), resolving true once they
 * have loaded, or false if one failed or timeoutMs passed first (the map then
 * draws those characters with whatever font the browser has).
 */
export async function loadShippedFont(texts: Iterable<unknown>, timeoutMs = 8000): Promise<boolean> {
  const fonts = typeof document !== 'undefined' ? document.fonts : undefined;
  const chars = distinctChars(texts);
  if (!fonts?.load || !chars) return false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([fonts.load(SHIPPED_FONT, chars).then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
