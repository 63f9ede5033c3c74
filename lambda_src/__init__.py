"""Lambda handlers: real code, packaged reproducibly at synth, with their own tests in tests/lambda_src/."""
