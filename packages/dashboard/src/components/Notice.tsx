import { CheckCircleIcon, InfoIcon, LockIcon, WarningIcon } from '@phosphor-icons/react';
import type { ReactNode } from 'react';

const TONES = {
  warning: { box: 'bg-kumo-warning-tint', icon: WarningIcon, iconClass: 'text-kumo-warning' },
  info: { box: 'bg-kumo-recessed', icon: InfoIcon, iconClass: 'text-kumo-subtle' },
  success: { box: 'bg-kumo-success-tint', icon: CheckCircleIcon, iconClass: 'text-kumo-success' },
  denied: { box: 'bg-kumo-danger-tint', icon: LockIcon, iconClass: 'text-kumo-danger' },
} as const;

/**
 * A message box in the default text colour on a tint. Kumo's Banner draws its text in the variant's
 * colour, which axe measures below 4.5:1 (alert on the light tint; secondary and error in dark).
 */
export function Notice({
  title,
  tone = 'warning',
  children,
}: {
  title: string;
  tone?: keyof typeof TONES;
  children: ReactNode;
}) {
  const { box, icon: Icon, iconClass } = TONES[tone];
  return (
    <div
      className={`flex items-start gap-3 rounded-lg border border-kumo-line px-4 py-3 text-kumo-default ${box}`}
    >
      <Icon aria-hidden className={`mt-0.5 shrink-0 ${iconClass}`} size={18} />
      <div className="flex min-w-0 flex-col gap-1 text-sm wrap-anywhere">
        <p className="font-medium">{title}</p>
        <div>{children}</div>
      </div>
    </div>
  );
}
