import { LayerCard } from '@cloudflare/kumo/components/layer-card';
import type { ProfileGetResponse } from '@userflare/client';
import type { ReactNode } from 'react';
import { useApiClient } from '../../app/session';
import { useApi } from '../../app/use-api';
import { ApiErrorBanner } from '../../components/ApiErrorBanner';
import { EmptyState } from '../../components/EmptyState';
import { LoadingState } from '../../components/LoadingState';
import { RelativeTime } from '../../components/RelativeTime';

type Profile = ProfileGetResponse;
type Field = [label: string, value: ReactNode];

const joined = (...parts: (string | undefined)[]) => parts.filter(Boolean).join(' ') || undefined;

/** Only the last four digits: a dashboard has no reason to show a whole card number. */
const maskedCard = (number: string | undefined) => (number ? `•••• ${number.slice(-4)}` : undefined);

function sections(profile: Profile): { title: string; fields: Field[] }[] {
  const expiry =
    profile.card_expiry_month && profile.card_expiry_year
      ? `${String(profile.card_expiry_month).padStart(2, '0')}/${profile.card_expiry_year}`
      : undefined;
  const all: { title: string; fields: [string, ReactNode | undefined][] }[] = [
    {
      title: 'Contact',
      fields: [
        ['Name', joined(profile.first_name, profile.last_name)],
        ['Company', profile.company],
        ['Email', profile.primary_email],
        ['Telephone', profile.telephone],
        ['Enterprise billing email', profile.enterprise_billing_email],
        ['Enterprise primary email', profile.enterprise_primary_email],
      ],
    },
    {
      title: 'Address',
      fields: [
        ['Address', joined(profile.address, profile.address2)],
        ['City', profile.city],
        ['State', profile.state],
        ['Postal code', profile.zipcode],
        ['Country', profile.country],
      ],
    },
    {
      title: 'Payment',
      fields: [
        ['Card', maskedCard(profile.card_number)],
        ['Expires', expiry],
        ['Gateway', profile.payment_gateway],
        ['Payment email', profile.payment_email],
        ['Cardholder', joined(profile.payment_first_name, profile.payment_last_name)],
        [
          'Billing address',
          joined(
            profile.payment_address,
            profile.payment_address2,
            profile.payment_city,
            profile.payment_state,
            profile.payment_zipcode,
            profile.payment_country,
          ),
        ],
        ['Balance', profile.balance],
        [
          'Next bill',
          profile.next_bill_date ? <RelativeTime key="next-bill" iso={profile.next_bill_date} /> : undefined,
        ],
      ],
    },
    {
      title: 'Tax',
      fields: [
        ['VAT', profile.vat],
        ['Tax ID type', profile.tax_id_type],
        ['Account type', profile.account_type],
        ['Partner', profile.is_partner === undefined ? undefined : profile.is_partner ? 'Yes' : 'No'],
      ],
    },
  ];
  return all
    .map(({ title, fields }) => ({
      title,
      fields: fields.filter((field): field is Field => field[1] !== undefined && field[1] !== ''),
    }))
    .filter((section) => section.fields.length > 0);
}

/**
 * A profile is "on file" once it has an address, a payment method or tax details; without one the
 * server answers only what it knows of the user (email, name, balance).
 */
function hasBillingDetails(profile: Profile): boolean {
  return [
    profile.address,
    profile.city,
    profile.company,
    profile.card_number,
    profile.payment_gateway,
    profile.payment_email,
    profile.vat,
  ].some((value) => value !== undefined && value !== '');
}

function FieldList({ fields }: { fields: Field[] }) {
  return (
    <dl className="grid grid-cols-1 gap-x-6 gap-y-1 text-sm sm:grid-cols-[9rem_1fr]">
      {fields.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="text-kumo-subtle sm:py-1">{label}</dt>
          <dd className="mb-2 break-words text-kumo-default sm:mb-0 sm:py-1">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** `GET /user/billing/profile`, read-only, grouped as Cloudflare's billing page groups it. */
export function BillingProfilePanel() {
  const client = useApiClient();
  const profile = useApi(() => client.user.billing.profile.get(), [client]);

  if (profile.loading && profile.data === undefined) return <LoadingState label="Loading billing profile…" />;
  if (profile.data === undefined)
    return <ApiErrorBanner error={profile.error} title="The billing profile could not be loaded" />;
  const data = profile.data;
  const known = sections(data);
  return (
    <div className="flex flex-col gap-4">
      {profile.error !== undefined && (
        <ApiErrorBanner error={profile.error} title="The billing profile could not be refreshed" />
      )}
      {!hasBillingDetails(data) && (
        <EmptyState
          title="No billing profile"
          description="No address, payment method or tax details are on file. On this server a billing profile comes from a fixture (billing_profiles) or the admin plane (PUT /__userflare/billing/profile)."
        />
      )}
      <div className="grid items-start gap-4 xl:grid-cols-2">
        {known.map((section) => (
          <LayerCard key={section.title} className="p-0">
            <section aria-labelledby={`billing-profile-${section.title}`} className="flex flex-col gap-3 p-4">
              <h2 id={`billing-profile-${section.title}`} className="font-semibold text-kumo-default">
                {section.title}
              </h2>
              <FieldList fields={section.fields} />
            </section>
          </LayerCard>
        ))}
      </div>
      <p className="text-sm text-kumo-subtle">
        Last updated <RelativeTime iso={data.edited_on} />
      </p>
    </div>
  );
}
