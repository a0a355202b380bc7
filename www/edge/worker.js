// Example Worker in front of the Northwind demo site: the application in site.js, wrapped by
// LeadPulse. workerd: config.capnp; Cloudflare: wrangler.toml; see README.md.
import { withLeadPulse } from 'leadpulse/edge';
import { handler, options } from './site.js';

export default withLeadPulse(handler, options);
