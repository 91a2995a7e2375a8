import { PageHeader } from '../../components/PageHeader';

export function BillingScreen() {
  return <PageHeader title="Billing" description="This screen is being built." />;
}
