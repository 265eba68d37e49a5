// The console's shell and routes. Paths are lower-case (/flows/...), distinct from the API's
// (/v2/Flows/...); the server answers every console path with index.html.
import { useRef } from 'react';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
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
import { useFocusHeadingOnRoute } from './ui/page-title.ts';

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
        <code className="sid small" title="Signed-in account">
          {credentials?.accountSid}
        </code>
        <button type="button" className="small-button" onClick={() => confirmLeave() && signOut()}>
          Sign out
        </button>
      </div>
    </header>
  );
}

export function App() {
  const { credentials } = useSession();
  /** Whether the sign-in form was shown: once signed in, focus goes to the first page's heading (the form that had it is gone). */
  const signedInHere = useRef(false);
  if (!credentials) {
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
          <Route path="/flows">
            <FlowListPage />
          </Route>
          <Route path="/flows/:flowSid/executions/:executionSid">
            {(params) => <ExecutionPage key={params.executionSid} flowSid={params.flowSid} executionSid={params.executionSid} />}
          </Route>
          <Route path="/flows/:flowSid/executions">{(params) => <ExecutionListPage key={params.flowSid} flowSid={params.flowSid} />}</Route>
          <Route path="/flows/:flowSid/revisions">{(params) => <RevisionsPage key={params.flowSid} flowSid={params.flowSid} />}</Route>
          <Route path="/flows/:flowSid">{(params) => <FlowEditorPage key={params.flowSid} flowSid={params.flowSid} />}</Route>
          <Route path="/">
            <Redirect to="/flows" />
          </Route>
          <Route path="/sign-in">
            <Redirect to="/flows" />
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
