/**
 * An amount in its currency, e.g. `$2,400.00` or `-€25.00`. A code Intl does not know is written after
 * the number rather than failing the page.
 */
export function formatMoney(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}

const FREQUENCY_NAMES: Record<string, string> = {
  weekly: 'Weekly',
  monthly: 'Monthly',
  quarterly: 'Quarterly',
  yearly: 'Yearly',
};

const PERIODS: Record<string, string> = {
  weekly: 'week',
  monthly: 'month',
  quarterly: 'quarter',
  yearly: 'year',
};

export function frequencyName(frequency: string): string {
  return FREQUENCY_NAMES[frequency] ?? (frequency || 'Not set');
}

/** `$25.00 / month` */
export function formatPrice(price: number, currency: string, frequency: string): string {
  const period = PERIODS[frequency];
  return period ? `${formatMoney(price, currency)} / ${period}` : formatMoney(price, currency);
}

/** Cloudflare's states, in words (REFERENCE §7.3). */
export function stateName(state: string): string {
  return state === 'AwaitingPayment' ? 'Awaiting payment' : state;
}

export type BadgeVariant = 'success' | 'info' | 'warning' | 'error' | 'neutral';

export function stateVariant(state: string): BadgeVariant {
  switch (state) {
    case 'Paid':
    case 'Provisioned':
      return 'success';
    case 'Trial':
      return 'info';
    case 'AwaitingPayment':
      return 'warning';
    case 'Failed':
      return 'error';
    default:
      return 'neutral';
  }
}
