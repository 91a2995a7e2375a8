import { PageHeader } from '../../components/PageHeader';

export function ProfileScreen() {
  return <PageHeader title="Profile" description="This screen is being built." />;
}
