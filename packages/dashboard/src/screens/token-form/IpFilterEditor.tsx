import { Button } from '@cloudflare/kumo/components/button';
import { Input } from '@cloudflare/kumo/components/input';
import { Select } from '@cloudflare/kumo/components/select';
import { PlusIcon, TrashIcon } from '@phosphor-icons/react';
import { type IpRule, newUid } from './token-draft';
import { fieldKeys } from './token-validation';

const OPERATOR_ITEMS = { in: 'Is in', not_in: 'Is not in' };

/**
 * Client IP Address Filtering (research §1.2 item 5): rows of "Is in" / "Is not in" and a CIDR, each
 * checked as it is typed. They become `condition.request_ip.in` / `not_in`.
 */
export function IpFilterEditor({
  rules,
  errorAt,
  onChange,
}: {
  rules: IpRule[];
  errorAt: (key: string) => string | undefined;
  onChange: (rules: IpRule[]) => void;
}) {
  const update = (uid: string, patch: Partial<IpRule>) =>
    onChange(rules.map((rule) => (rule.uid === uid ? { ...rule, ...patch } : rule)));
  return (
    <section aria-labelledby="ip-heading" className="flex flex-col gap-3">
      <h2 id="ip-heading" className="text-lg font-semibold text-kumo-default">
        Client IP Address Filtering
      </h2>
      <p className="max-w-3xl text-sm text-kumo-subtle">
        With no rule, the token works from any IP address. Once an “Is in” rule exists, only those ranges may
        use it; “Is not in” carves out exceptions. A single address is saved as /32 (IPv4) or /128 (IPv6).
      </p>
      {rules.map((rule, index) => (
        <fieldset
          key={rule.uid}
          aria-label={`IP filter ${index + 1}`}
          className="grid grid-cols-[1fr_auto] items-start gap-2 sm:grid-cols-[10rem_minmax(0,24rem)_auto]"
        >
          <Select
            label="Operator"
            className="col-span-2 w-full sm:col-span-1"
            value={rule.operator}
            items={OPERATOR_ITEMS}
            onValueChange={(next) => update(rule.uid, { operator: next === 'not_in' ? 'not_in' : 'in' })}
          />
          <Input
            label="IP address or CIDR range"
            placeholder="192.0.2.0/24 or 2001:db8::/32"
            value={rule.cidr}
            error={errorAt(fieldKeys.ip(rule.uid))}
            aria-invalid={errorAt(fieldKeys.ip(rule.uid)) !== undefined}
            onChange={(event) => update(rule.uid, { cidr: event.target.value })}
          />
          <div className="sm:pt-7">
            <Button
              variant="ghost"
              shape="square"
              icon={<TrashIcon aria-hidden />}
              aria-label={`Remove IP filter ${index + 1}`}
              onClick={() => onChange(rules.filter((each) => each.uid !== rule.uid))}
            />
          </div>
        </fieldset>
      ))}
      <div>
        <Button
          size="sm"
          icon={<PlusIcon aria-hidden />}
          onClick={() => onChange([...rules, { uid: newUid(), operator: 'in', cidr: '' }])}
        >
          Add IP filter
        </Button>
      </div>
    </section>
  );
}
