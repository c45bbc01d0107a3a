// Package rules evaluates CertLogic, the JsonLogic dialect in which the EU's
// member states published their DCC business rules (specification 1.3.3,
// ../shared/testdata/certlogic), and reads the EU rule format around it.
//
// It is pure: no network, no clock. "Now" is the data's
// external.validationClock, which chot fills from the verification time.
//
// An expression is validated and compiled once, when a rule is imported
// (Compile): an invalid expression, or one nested too deep or too large, is
// refused then, not when a traveller shows up. Evaluation (Expr.Eval) never
// panics; a type mismatch the validation could not see, or an evaluation
// over its step budget, is an error, which a rule set treats as a refusal.
//
// # Caveats
//
// Where the specification leaves a choice, the reference implementation
// (certlogic-js) decides: an if-guard that is neither truthy nor falsy is an
// error; a reduce over null gives the initial value. === compares scalars by
// value and arrays and objects deeply (JavaScript would compare references).
// The lambda of reduce sees only current and accumulator: the "data" key of
// the test suite's patched-reduce (directive skip) is an optional future
// extension of the specification, not implemented.
package rules
