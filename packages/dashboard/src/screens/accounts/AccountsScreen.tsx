import { PageHeader } from '../../components/PageHeader';

export function AccountsScreen() {
  return <PageHeader title="Accounts" description="This screen is being built." />;
}
