"""Layout checks for pages in any language: no two pieces of text drawn over each other, and
no text cut off or spilling out of the box that holds it (longer French words, Arabic read
from the right)."""

from __future__ import annotations

# Every line box of every visible text node (not what a closed disclosure folds away, nor what
# a scroll box hides), compared with the others by a sweep down the page: two boxes of different
# texts overlapping by more than a third of the smaller one's height and a few pixels across are
# drawn over each other. Text in fixed or absolute boxes (the skip link, a tooltip, the cell
# panel when closed) and in charts' SVG is left out: it is meant to sit on top or is laid out by
# the chart.
OVERLAPS = """() => {
  const boxes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + [...el.classList].slice(0, 2).map((c) => '.' + c).join('');
  const seen = new Map();
  const floating = (el) => {
    if (seen.has(el)) return seen.get(el);
    let result = false;
    let summary = false;
    for (let at = el; at && at !== document.body; at = at.parentElement) {
      if (at.tagName === 'SUMMARY') summary = true;
      if (at.tagName === 'DETAILS') {
        if (!at.open && !summary) { result = true; break; }  // folded away, not drawn
        summary = false;
      }
      const style = getComputedStyle(at);
      if (style.position === 'fixed' || style.position === 'absolute' || at.tagName === 'svg'
          || style.visibility === 'hidden' || style.display === 'none') { result = true; break; }
    }
    seen.set(el, result);
    return result;
  };
  // What a scroll box hides (rows scrolled out of its view) is not drawn: clip to it.
  const clips = new Map();
  const clipOf = (el) => {
    if (clips.has(el)) return clips.get(el);
    let box = {left: -Infinity, top: -Infinity, right: Infinity, bottom: Infinity};
    for (let at = el; at && at !== document.body; at = at.parentElement) {
      const style = getComputedStyle(at);
      if (style.overflowX !== 'visible' || style.overflowY !== 'visible') {
        const r = at.getBoundingClientRect();
        box = {left: Math.max(box.left, r.left), top: Math.max(box.top, r.top),
               right: Math.min(box.right, r.right), bottom: Math.min(box.bottom, r.bottom)};
      }
    }
    clips.set(el, box);
    return box;
  };
  let index = 0;
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim() || !node.parentElement || floating(node.parentElement)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const clip = clipOf(node.parentElement);
    for (const line of range.getClientRects()) {
      const r = {left: Math.max(line.left, clip.left), top: Math.max(line.top, clip.top),
                 right: Math.min(line.right, clip.right),
                 bottom: Math.min(line.bottom, clip.bottom)};
      r.width = r.right - r.left;
      r.height = r.bottom - r.top;
      if (r.width < 1 || r.height < 1) continue;
      boxes.push({r, node: index, el: node.parentElement,
                  text: node.textContent.trim().slice(0, 30)});
    }
    index += 1;
  }
  boxes.sort((a, b) => a.r.top - b.r.top);
  const found = [];
  for (let i = 0; i < boxes.length && found.length < 5; i++) {
    const a = boxes[i];
    for (let j = i + 1; j < boxes.length && boxes[j].r.top < a.r.bottom; j++) {
      const b = boxes[j];
      if (a.node === b.node) continue;
      const across = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const down = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      if (across > 3 && down > Math.min(a.r.height, b.r.height) / 3) {
        found.push(`'${a.text}' (${name(a.el)}) over '${b.text}' (${name(b.el)})`);
        break;
      }
    }
  }
  return found;
}"""

# Text cut off by its own box: an element that hides what overflows it (and is not a scroll box
# one can scroll) yet holds more than it shows.
CLIPPED = """() => {
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + [...el.classList].slice(0, 2).map((c) => '.' + c).join('');
  return [...document.body.querySelectorAll('*')].filter((el) => {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') return false;
    const hides = (v) => v === 'hidden' || v === 'clip';
    if (!hides(style.overflowX) && !hides(style.overflowY)) return false;
    if (!el.textContent.trim() || el.closest('svg')) return false;
    if (el.clientWidth <= 1 && el.clientHeight <= 1) return false;  // visually hidden labels
    return (hides(style.overflowX) && el.scrollWidth > el.clientWidth + 1)
      || (hides(style.overflowY) && el.scrollHeight > el.clientHeight + 1);
  }).slice(0, 5).map(name);
}"""


def layout_problems(page) -> list[str]:
    problems = []
    if over := page.evaluate(OVERLAPS):
        problems.append("text drawn over other text: " + "; ".join(over))
    if clipped := page.evaluate(CLIPPED):
        problems.append("text cut off by its box: " + ", ".join(clipped))
    return problems
