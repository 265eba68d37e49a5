// Moved to src/lib so that the definition layer (validator hints) can use it without depending on flowtest.
export { closestName, editDistance } from '../lib/closest-name.ts';
