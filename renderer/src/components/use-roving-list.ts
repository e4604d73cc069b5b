import { useCallback, useRef } from 'react';

/** Elements that act on Enter/Space by themselves; any other item (a table row) gets a click from us. */
const NATIVE_ACTIVATION = /^(BUTTON|A|INPUT|SELECT|TEXTAREA|SUMMARY)$/;
/** Where a list shows its selection, so the Tab stop lands on the selected item first. */
const SELECTED = '[aria-selected="true"], [aria-current="true"], .selected, .active, .row-selected';

/**
 * A list as ONE Tab stop with arrow-key movement (roving tabindex, WAI-ARIA APG): the items (found by `itemSelector`
 * inside the element the returned ref is put on) get tabindex -1 except one, which gets 0: the last one focused, else
 * the selected one, else the first. Up/Down move, Home/End jump, Enter/Space open a row that is not a button.
 * It works on the DOM the screen already renders (table rows, buttons, a virtual list's recycled rows), so a screen
 * adds a ref and nothing else. A MutationObserver keeps the tabindexes right when rows come and go (load more, a
 * virtual list scrolling); setting tabindex is an attribute change, so it does not wake the observer again.
 */
export function useRovingList<T extends HTMLElement>(itemSelector: string): (root: T | null) => void {
  const cleanup = useRef<(() => void) | null>(null);
  return useCallback(
    (root: T | null) => {
      cleanup.current?.();
      cleanup.current = null;
      if (!root) return;
      let active: HTMLElement | null = null;
      const items = () => [...root.querySelectorAll<HTMLElement>(itemSelector)];
      const sync = () => {
        const all = items();
        const stop = (active && all.includes(active) ? active : null) ?? all.find((el) => el.matches(SELECTED)) ?? all[0];
        // The attribute, not the property: a button's tabIndex is already 0 without one, and the attribute is what
        // says "this is the list's Tab stop" (tests and assistive tech read it).
        for (const el of all) {
          const want = el === stop ? '0' : '-1';
          if (el.getAttribute('tabindex') !== want) el.setAttribute('tabindex', want);
        }
      };
      const move = (to: HTMLElement | undefined) => {
        if (!to) return;
        active = to;
        sync();
        to.focus();
        to.scrollIntoView?.({ block: 'nearest' });
      };
      const onFocusIn = (e: FocusEvent) => {
        const item = (e.target as HTMLElement).closest<HTMLElement>(itemSelector);
        if (item && root.contains(item) && item !== active) {
          active = item;
          sync();
        }
      };
      const onKeyDown = (e: KeyboardEvent) => {
        const target = e.target as HTMLElement;
        if (!target.matches(itemSelector)) return; // keys in a row's own controls or a search box stay theirs
        const all = items();
        const i = all.indexOf(target);
        if (e.key === 'ArrowDown') move(all[i + 1]);
        else if (e.key === 'ArrowUp') move(all[i - 1]);
        else if (e.key === 'Home') move(all[0]);
        else if (e.key === 'End') move(all[all.length - 1]);
        else if ((e.key === 'Enter' || e.key === ' ') && !NATIVE_ACTIVATION.test(target.tagName)) target.click();
        else return;
        e.preventDefault();
      };
      sync();
      const observer = new MutationObserver(sync);
      observer.observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ['class', 'aria-selected', 'aria-current'] });
      root.addEventListener('keydown', onKeyDown);
      root.addEventListener('focusin', onFocusIn);
      cleanup.current = () => {
        observer.disconnect();
        root.removeEventListener('keydown', onKeyDown);
        root.removeEventListener('focusin', onFocusIn);
      };
    },
    [itemSelector],
  );
}
