import { useState } from 'preact/hooks';
import { rememberKey } from '../key-store.js';

export function KeyForm() {
  const [key, setKey] = useState('');
  return (
    <section class="card key-form" aria-labelledby="key-heading">
      <h1 id="key-heading">Paste an API key</h1>
      <p>
        The dashboard reads your sessions through the gateway's GraphQL API with your key. A read-only key (scope
        <code>read:analytics</code>) is enough: <code>trenchcoat keys create --account &lt;slug&gt; --scopes read:analytics</code>.
      </p>
      <p>The key is kept for this browser tab's session only, never in the address or a cookie.</p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const trimmed = key.trim();
          if (trimmed !== '') rememberKey(trimmed);
        }}
      >
        <label for="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autocomplete="off"
          spellcheck={false}
          required
          value={key}
          onInput={(event) => setKey(event.currentTarget.value)}
        />
        <button type="submit">Use this key</button>
      </form>
    </section>
  );
}
