// Loads the demo project's data into a running Larder. Filled in as the
// online, offline and materialization paths land; until then it loads nothing.
export async function loadDemoData({ api, token }) {
  void api;
  void token;
}
