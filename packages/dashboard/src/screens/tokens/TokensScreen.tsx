import { PageHeader } from '../../components/PageHeader';

export function TokensScreen() {
  return <PageHeader title="API Tokens" description="This screen is being built." />;
}
