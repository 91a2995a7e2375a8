import { Button } from '@cloudflare/kumo/components/button';
import { Input } from '@cloudflare/kumo/components/input';
import { utcTime } from '../../components/RelativeTime';
import { type DayField, dayOf } from './token-draft';
import { fieldKeys } from './token-validation';

function DayInput({
  label,
  field,
  empty,
  error,
  onChange,
}: {
  label: string;
  field: DayField;
  empty: string;
  error: string | undefined;
  onChange: (field: DayField) => void;
}) {
  const keepsExact = field.exact !== undefined && field.day !== '' && dayOf(field.exact) === field.day;
  const description = keepsExact
    ? `Now ${utcTime(field.exact as string)}: kept unless you choose another day (then 00:00 UTC).`
    : field.day
      ? `${field.day} 00:00 UTC.`
      : empty;
  return (
    <div className="flex items-start gap-2">
      <div className="w-full max-w-xs">
        <Input
          type="date"
          label={label}
          value={field.day}
          description={description}
          error={error}
          aria-invalid={error !== undefined}
          onChange={(event) => onChange({ ...field, day: event.target.value })}
        />
      </div>
      {field.day !== '' && (
        <Button className="mt-7" size="sm" variant="ghost" onClick={() => onChange({ day: '' })}>
          Clear {label.toLowerCase()}
        </Button>
      )}
    </div>
  );
}

/**
 * TTL (research §1.2 item 6): a start and an end day. "Dates selected are defined as 00:00 UTC of
 * that day"; they become `not_before` and `expires_on`.
 */
export function TtlEditor({
  notBefore,
  expiresOn,
  errorAt,
  onChange,
}: {
  notBefore: DayField;
  expiresOn: DayField;
  errorAt: (key: string) => string | undefined;
  onChange: (patch: { notBefore?: DayField; expiresOn?: DayField }) => void;
}) {
  return (
    <section aria-labelledby="ttl-heading" className="flex flex-col gap-3">
      <h2 id="ttl-heading" className="text-lg font-semibold text-kumo-default">
        TTL
      </h2>
      <p className="max-w-3xl text-sm text-kumo-subtle">
        The days the token is valid. Each date is 00:00 UTC of that day; for finer control use the API.
      </p>
      <div className="flex flex-col gap-4 sm:flex-row">
        <DayInput
          label="Start date"
          field={notBefore}
          empty="Empty: active as soon as it is created."
          error={errorAt(fieldKeys.notBefore)}
          onChange={(field) => onChange({ notBefore: field })}
        />
        <DayInput
          label="End date"
          field={expiresOn}
          empty="Empty: never expires."
          error={errorAt(fieldKeys.expiresOn)}
          onChange={(field) => onChange({ expiresOn: field })}
        />
      </div>
    </section>
  );
}
