// The async boundary stock Module Federation needs in a host: the shared modules (express,
// jsonwebtoken) are negotiated with the remotes before any code that imports them runs.
import('./bootstrap.js');
