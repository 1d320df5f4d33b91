import { useEffect } from 'preact/hooks';
import { KeyForm } from './components/key-form.js';
import { Link } from './components/link.js';
import { RangePicker } from './components/range-picker.js';
import { apiKey, forgetKey } from './key-store.js';
import { OverviewPage } from './pages/overview-page.js';
import { SessionPage } from './pages/session-page.js';
import { SessionsPage } from './pages/sessions-page.js';
import { ToolsPage } from './pages/tools-page.js';
import { rangeOf } from './range.js';
import { href, place, routeOf, type Route } from './router.js';
import { useSignal } from './signal.js';

const TITLES: Record<Route['page'], string> = { overview: 'Overview', sessions: 'Sessions', session: 'Session', tools: 'Tools', 'not-found': 'Not found' };
const NAV: readonly { path: string; label: string; page: Route['page'] }[] = [
  { path: '', label: 'Overview', page: 'overview' },
  { path: '/sessions', label: 'Sessions', page: 'sessions' },
  { path: '/tools', label: 'Tools', page: 'tools' },
];

function Page({ route }: { route: Route }) {
  const { search } = useSignal(place);
  const range = rangeOf(search);
  switch (route.page) {
    case 'overview':
      return <OverviewPage range={range} />;
    case 'sessions':
      return <SessionsPage range={range} />;
    case 'session':
      return <SessionPage id={route.id} />;
    case 'tools':
      return <ToolsPage range={range} />;
    default:
      return (
        <>
          <h1>Not found</h1>
          <p>
            No page here. <Link to={href('')}>Go to the overview</Link>.
          </p>
        </>
      );
  }
}

export function App() {
  const key = useSignal(apiKey);
  const { path, search } = useSignal(place);
  const route = routeOf(path);
  const ranged = route.page === 'overview' || route.page === 'sessions' || route.page === 'tools';
  useEffect(() => {
    document.title = `${TITLES[route.page]} · Trenchcoat`;
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [route.page, route.page === 'session' ? route.id : '']);
  return (
    <>
      <a class="skip-link" href="#main">Skip to content</a>
      <header class="top">
        <span class="brand">Trenchcoat</span>
        {key !== null && (
          <nav aria-label="Pages">
            {NAV.map((n) => (
              <Link to={href(n.path)} current={route.page === n.page || (n.page === 'sessions' && route.page === 'session')}>
                {n.label}
              </Link>
            ))}
          </nav>
        )}
        {key !== null && (
          <button type="button" class="forget" onClick={forgetKey}>
            Forget key
          </button>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {key === null ? (
          <KeyForm />
        ) : (
          <>
            {ranged && <RangePicker range={rangeOf(search)} />}
            <Page route={route} />
          </>
        )}
      </main>
    </>
  );
}
