import { Button } from '@cloudflare/kumo/components/button';
import { Sidebar } from '@cloudflare/kumo/components/sidebar';
import {
  BankIcon,
  BuildingsIcon,
  ClockIcon,
  CloudArrowUpIcon,
  EnvelopeIcon,
  FlaskIcon,
  KeyIcon,
  LightningIcon,
  ListChecksIcon,
  ListMagnifyingGlassIcon,
  MoonIcon,
  ShieldCheckIcon,
  SignOutIcon,
  SquaresFourIcon,
  StackIcon,
  SunIcon,
  UserIcon,
} from '@phosphor-icons/react';
import { type ComponentType, type ReactNode, useState } from 'react';
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { signOut } from './api';
import { dashboardHref } from './base-path';
import { useSessionState } from './session';
import { applyTheme, initialTheme, type Theme } from './theme';

interface NavItem {
  to: string;
  label: string;
  icon: ComponentType<{ className?: string }>;
}

const ACCOUNT_NAV: NavItem[] = [
  { to: '/tokens', label: 'API Tokens', icon: KeyIcon },
  { to: '/audit-log', label: 'Audit Log', icon: ListChecksIcon },
  { to: '/profile', label: 'Profile', icon: UserIcon },
  { to: '/invites', label: 'Invites', icon: EnvelopeIcon },
  { to: '/accounts', label: 'Accounts', icon: BuildingsIcon },
  { to: '/billing', label: 'Billing', icon: BankIcon },
  { to: '/permission-groups', label: 'Permission groups', icon: ShieldCheckIcon },
];

const EMULATOR_NAV: NavItem[] = [
  { to: '/emulator/clock', label: 'Clock', icon: ClockIcon },
  { to: '/emulator/snapshots', label: 'Snapshots', icon: StackIcon },
  { to: '/emulator/enforcement', label: 'Enforcement', icon: ShieldCheckIcon },
  { to: '/emulator/journal', label: 'Request journal', icon: ListMagnifyingGlassIcon },
  { to: '/emulator/faults', label: 'Faults', icon: LightningIcon },
  { to: '/emulator/namespaces', label: 'Namespaces', icon: SquaresFourIcon },
  { to: '/emulator/explain', label: 'Explain', icon: FlaskIcon },
  { to: '/emulator/store', label: 'Fixtures and reset', icon: CloudArrowUpIcon },
];

function NavGroup({ label, items }: { label: string; items: NavItem[] }) {
  const location = useLocation();
  return (
    <Sidebar.Group>
      <Sidebar.GroupLabel>{label}</Sidebar.GroupLabel>
      <Sidebar.Menu>
        {items.map((item) => (
          <Sidebar.MenuItem key={item.to}>
            <Sidebar.MenuButton
              icon={item.icon}
              href={dashboardHref(item.to)}
              active={location.pathname === item.to || location.pathname.startsWith(`${item.to}/`)}
            >
              {item.label}
            </Sidebar.MenuButton>
          </Sidebar.MenuItem>
        ))}
      </Sidebar.Menu>
    </Sidebar.Group>
  );
}

/** The frame of every signed-in screen: navigation, who is signed in, theme and sign-out. */
export function Layout({ children }: { children?: ReactNode }) {
  const { session, setSession } = useSessionState();
  const navigate = useNavigate();
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const toggleTheme = () => {
    const next = theme === 'dark' ? 'light' : 'dark';
    applyTheme(next);
    setTheme(next);
  };
  const leave = async () => {
    await signOut().catch(() => undefined);
    setSession(null);
    navigate('/sign-in');
  };
  const who = session?.user
    ? `${session.user.email}${session.credential?.kind === 'token' ? ` · token ${session.credential.token.name}` : ' · Global API key'}`
    : 'Emulator only';
  return (
    <Sidebar.Provider defaultOpen collapsible="offcanvas" mobileBreakpoint={768} className="h-svh">
      <Sidebar aria-label="Dashboard">
        <Sidebar.Header>
          <NavLink to="/tokens" className="flex items-center gap-2 px-2 py-1 font-semibold text-kumo-default">
            <img src="./favicon.svg" alt="" width={20} height={20} />
            userflare
          </NavLink>
        </Sidebar.Header>
        <Sidebar.Content>
          <NavGroup label="My Profile" items={ACCOUNT_NAV} />
          {session?.emulator_available && <NavGroup label="Emulator" items={EMULATOR_NAV} />}
        </Sidebar.Content>
      </Sidebar>
      <div className="flex h-svh min-w-0 flex-1 flex-col overflow-y-auto">
        <div className="sticky top-0 z-10 flex items-center gap-2 border-b border-kumo-line bg-kumo-base px-4 py-2">
          <Sidebar.Trigger aria-label="Open navigation" />
          <p className="min-w-0 flex-1 truncate text-sm text-kumo-subtle">{who}</p>
          <Button
            variant="ghost"
            shape="square"
            aria-label={theme === 'dark' ? 'Use the light theme' : 'Use the dark theme'}
            icon={theme === 'dark' ? <SunIcon /> : <MoonIcon />}
            onClick={toggleTheme}
          />
          <Button variant="ghost" icon={<SignOutIcon />} onClick={leave}>
            Log out
          </Button>
        </div>
        <main className="min-w-0 flex-1 px-4 py-6 md:px-8">{children ?? <Outlet />}</main>
      </div>
    </Sidebar.Provider>
  );
}
