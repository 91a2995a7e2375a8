import type { ReactNode } from 'react';

/** Why the buttons below are disabled, in words; the buttons point at it with `aria-describedby`. */
export const FOOTER_REASON_ID = 'token-form-reason';

/** The form's buttons, with the reasons they are disabled spelled out next to them. */
export function FormFooter({ reasons, children }: { reasons: string[]; children: ReactNode }) {
  return (
    <div className="mt-8 flex flex-col gap-3 border-t border-kumo-line pt-4">
      <div id={FOOTER_REASON_ID} aria-live="polite" className="text-sm text-kumo-subtle">
        {reasons.map((reason) => (
          <p key={reason}>{reason}</p>
        ))}
      </div>
      <div className="flex flex-wrap gap-2">{children}</div>
    </div>
  );
}

/** Why the form cannot go on yet, in the page's words: no permission chosen, then each problem. */
export function formReasons(permissionCount: number, issues: string[]): string[] {
  const reasons: string[] = [];
  if (permissionCount === 0) reasons.push('Choose at least one permission.');
  if (issues.length > 0) reasons.push(`Fix first: ${issues.join('; ')}.`);
  return reasons;
}
