import type { ComponentChildren } from 'preact';
import { navigate } from '../router.js';

/** An ordinary link (it opens in a new tab, copies, works without script) that the page follows itself. */
export function Link({ to, children, class: className, current }: { to: string; children: ComponentChildren; class?: string; current?: boolean }) {
  return (
    <a
      href={to}
      class={className}
      aria-current={current ? 'page' : undefined}
      onClick={(event) => {
        if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}
