// The console's shell and routes. Paths are lower-case (/flows/...), distinct from the API's
// (/v2/Flows/...); the server answers every console path with index.html, and a browser's other
// paths outside the API with index.html as a 404, which this shows as "Page not found".
import { useRef } from 'react';
import { Link, matchRoute, Redirect, Route, Switch, useLocation, useRouter } from 'wouter';
import { SignIn } from './auth/sign-in.tsx';
import { RefusedBadge, SignInAgainDialog } from './auth/sign-in-again.tsx';
import { useSession } from './auth/session.tsx';
import { FlowEditorPage } from './editor/flow-editor.tsx';
import { ExecutionListPage } from './executions/execution-list.tsx';
import { ExecutionPage } from './executions/execution-page.tsx';
import { FlowListPage } from './flows/flow-list.tsx';
import { RevisionsPage } from './flows/revisions-page.tsx';
import { confirmLeave } from './ui/leave-guard.ts';
import { ProblemPage } from './ui/problem-page.tsx';
import { useFocusHeadingOnRoute, usePageTitle } from './ui/page-title.ts';

/** The console's pages; any other path is "Page not found", signed in or not. */
const PAGES = {
  home: '/',
  signIn: '/sign-in',
  flows: '/flows',
  flow: '/flows/:flowSid',
  executions: '/flows/:flowSid/executions',
  execution: '/flows/:flowSid/executions/:executionSid',
  revisions: '/flows/:flowSid/revisions',
} as const;

function useIsPage(): boolean {
  const [location] = useLocation();
  const { parser } = useRouter();
  return Object.values(PAGES).some((pattern) => matchRoute(parser, pattern, location)[0]);
}

function TopBar() {
  const { credentials, signOut } = useSession();
  return (
    <header className="topbar">
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <Link href="/flows" className="brand">
        <span className="logo" aria-hidden="true" /> Switchboard
      </Link>
      <nav aria-label="Main" className="topnav">
        <Link href="/flows">Flows</Link>
      </nav>
      <div className="account">
        <RefusedBadge />
        <code className="sid small" title={credentials?.accountSid.toUpperCase().startsWith('SK') ? 'Signed in with this API key' : 'Signed-in account'}>
          {credentials?.accountSid}
        </code>
        <button type="button" className="small-button" onClick={() => confirmLeave() && signOut()}>
          Sign out
        </button>
      </div>
    </header>
  );
}

/**
 * A path that is no page, before signing in: said at once (the server answers it 404), rather than
 * after signing in for nothing.
 */
function SignedOutNotFound() {
  usePageTitle(['Page not found']);
  return (
    <main className="sign-in">
      <div className="card sign-in-card">
        <h1>Page not found</h1>
        <p>The console has no page at this address.</p>
        <p>
          <Link href={PAGES.flows}>Sign in to the console</Link>
        </p>
      </div>
    </main>
  );
}

export function App() {
  const { credentials } = useSession();
  const isPage = useIsPage();
  /** Whether the sign-in form was shown: once signed in, focus goes to the first page's heading (the form that had it is gone). */
  const signedInHere = useRef(false);
  if (!credentials) {
    if (!isPage) return <SignedOutNotFound />;
    signedInHere.current = true;
    return <SignIn />;
  }
  return <Shell afterSignIn={signedInHere.current} />;
}

function Shell({ afterSignIn }: { afterSignIn: boolean }) {
  const [location] = useLocation();
  const content = useRef<HTMLDivElement>(null);
  useFocusHeadingOnRoute(location, () => content.current, afterSignIn);
  return (
    <div className="shell">
      <TopBar />
      <SignInAgainDialog />
      <div id="content" className="content" ref={content}>
        <Switch>
          <Route path={PAGES.flows}>
            <FlowListPage />
          </Route>
          <Route path={PAGES.execution}>
            {(params) => <ExecutionPage key={params.executionSid} flowSid={params.flowSid} executionSid={params.executionSid} />}
          </Route>
          <Route path={PAGES.executions}>{(params) => <ExecutionListPage key={params.flowSid} flowSid={params.flowSid} />}</Route>
          <Route path={PAGES.revisions}>{(params) => <RevisionsPage key={params.flowSid} flowSid={params.flowSid} />}</Route>
          <Route path={PAGES.flow}>{(params) => <FlowEditorPage key={params.flowSid} flowSid={params.flowSid} />}</Route>
          <Route path={PAGES.home}>
            <Redirect to={PAGES.flows} />
          </Route>
          <Route path={PAGES.signIn}>
            <Redirect to={PAGES.flows} />
          </Route>
          <Route>
            <ProblemPage title="Page not found">
              <p>The console has no page at this address.</p>
            </ProblemPage>
          </Route>
        </Switch>
      </div>
    </div>
  );
}
