/**
 * Keeps keyboard focus on a sensible control when the one pressed disappears: Train gives way to
 * Pause, Pause to Resume, Stop (after saving) to Continue. The pressed button's handler calls
 * `pressed(next)`, naming the control that will replace it; `use:refocus={name}` on that control
 * takes the focus when it appears, if nothing else has it. Nothing takes focus at page load.
 */
let pending: string | null = null;

export function pressed(next: string): void {
  pending = next;
}

export function refocus(node: HTMLElement, name: string): void {
  if (pending !== name) return;
  queueMicrotask(() => {
    const active = document.activeElement;
    if (active === null || active === document.body) node.focus();
    pending = null;
  });
}
