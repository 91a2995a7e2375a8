import { Banner } from '@cloudflare/kumo/components/banner';
import { WarningCircleIcon } from '@phosphor-icons/react';
import { denialOf } from '../app/api';
import { errorText } from './error-text';

/**
 * A failed API call as Cloudflare answered it: each error's code and message, and — from the
 * emulator's `userflare-denial` header — why a refusal happened. Never a blank screen (issue 13).
 */
export function ApiErrorBanner({ error, title = 'The request failed' }: { error: unknown; title?: string }) {
  const denial = denialOf(error);
  return (
    <div role="alert">
      <Banner
        variant="error"
        icon={<WarningCircleIcon aria-hidden />}
        title={title}
        description={
          <>
            <span>{errorText(error)}</span>
            {denial && (
              <span className="mt-1 block">
                Why: {denial.message} <span className="text-kumo-subtle">({denial.reason})</span>
              </span>
            )}
          </>
        }
      />
    </div>
  );
}
