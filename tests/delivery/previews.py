"""Preview outputs as the 3.79 engine prints them (`pulumi preview --policy-pack policies --non-interactive
--color=never`), taken from runs of tests/policy/projects/guarded, for the pr-summary tests."""

PASSING = """Previewing update (uat):

 +  pulumi:pulumi:Stack guarded-uat create 
 +  pulumi-python:dynamic/koyeb:App app create 
 ~  pulumi-python:dynamic/koyeb:Service api update [diff: ~docker_image]
 +  pulumi:pulumi:Stack guarded-uat create 

Resources:
    + 1 to create
    ~ 1 to update
    4 unchanged

Policy Packs run:
    Name                    Version
     (/work/main/policies)  (local)
"""

ADVISORY = """Previewing update (production):

    pulumi:pulumi:Stack guarded-production  

Policy Violations:
    [advisory]  stagecraft-guard v0.1.0  production-approval-notice (pulumi:pulumi:Stack: guarded-production)
    A preview of production says that an update will need approval evidence.
    preview only: stack 'production' is production, so `pulumi up` will need a verified approval; no STAGECRAFT_OIDC_TOKEN in this run.
      limit: reviewers of the GitHub environment 'production' must approve the deploy job
      source: policies/README.md (Production approval)
      fix: nothing to do for a preview; deploy through the production workflow after review
    
Resources:
    6 unchanged
"""

REFUSED = """Previewing update (beta):

 +  pulumi-python:dynamic/koyeb:Service api create 
 +  pulumi:pulumi:Stack guarded-beta create error: preview failed

Diagnostics:
  pulumi:pulumi:Stack (guarded-beta):
    error: preview failed

Policy Violations:
    [mandatory]  stagecraft-guard v0.1.0  free-tier-plan (pulumi-python:dynamic/koyeb:Service: api)
    Resources in a stack declared free use their platform's free plan, instance type and free-tier limits.
    api (pulumi-python:dynamic/koyeb:Service): instance_type is 'nano', a paid Koyeb option; stack 'beta' is declared free for Koyeb.
      limit: instance_type must be one of 'free' on the Koyeb free tier
      fix: set instance_type to 'free'
    
    [mandatory]  stagecraft-guard v0.1.0  monthly-budget (pulumi:pulumi:Stack: guarded-beta)
    The stack's estimated monthly cost stays within its budget; all environments' budgets stay within the project cap.
    the estimated monthly cost of stack 'beta' is $2.70, over its budget of $0.00.
      fix: move the priced resources to free plans
    
"""

FAILED = """Previewing update (preprod):

 +  pulumi:pulumi:Stack guarded-preprod create error: an unhandled error occurred: Program exited with non-zero exit code: 1

Diagnostics:
  pulumi:pulumi:Stack (guarded-preprod):
    error: an unhandled error occurred: Program exited with non-zero exit code: 1
    error: stagecraft:backend.image: Field required
"""
