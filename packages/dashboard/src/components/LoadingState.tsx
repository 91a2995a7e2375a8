import { Loader } from '@cloudflare/kumo/components/loader';

/** Shown while a screen's first answer is on its way; announced to screen readers. */
export function LoadingState({ label = 'Loading…' }: { label?: string }) {
  return (
    <div role="status" aria-live="polite" className="flex items-center gap-3 py-12 text-kumo-subtle">
      <Loader size="base" />
      <span>{label}</span>
    </div>
  );
}
