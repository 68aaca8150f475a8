#!/usr/bin/env python3
"""Writes the golden evaluation cases: test/golden/<case>/{snapshot.json, policies.yaml, intent.json}.

Each case states its intent by hand (the non-PASS findings and the plan operations a reviewer
expects); `UPDATE_GOLDEN=1 npx vitest run test/engine/golden.test.ts` then records expected.json from
the engine, but only where it agrees with the intent. Run: python3 test/golden/cases.py
"""
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
A = "111122223333"
R = "us-east-1"
M = {"Field": "eventCategory", "Equals": ["Management"]}
D = {"Field": "eventCategory", "Equals": ["Data"]}
S3 = {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}
LAMBDA = {"Field": "resources.type", "Equals": ["AWS::Lambda::Function"]}


def ro(v):
    return {"Field": "readOnly", "Equals": [v]}


def arn_f(op, *v):
    return {"Field": "resources.ARN", op: list(v)}


def sel(*fields, name=None):
    s = {"FieldSelectors": list(fields)}
    return {"Name": name, **s} if name else s


def trail(name, region=R, account=A, status=True, selectors="default", tags=(), insights=(), config=None, partition="aws", **settings):
    t = {
        "Name": name,
        "TrailARN": f"arn:{partition}:cloudtrail:{region}:{account}:trail/{name}",
        "HomeRegion": region,
        "S3BucketName": f"logs-{name}",
        "IncludeGlobalServiceEvents": True,
        "IsMultiRegionTrail": False,
        "IsOrganizationTrail": False,
        "LogFileValidationEnabled": True,
        "KmsKeyId": f"arn:{partition}:kms:{region}:{account}:key/00000000-0000-0000-0000-000000000001",
    }
    t.update(settings)
    t = {k: v for k, v in t.items() if v is not None}
    entry = {"trail": t}
    if status is not None:
        entry["status"] = status if isinstance(status, dict) else {"IsLogging": status}
    if selectors == "default":
        entry["eventSelectors"] = {"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": [], "ExcludeManagementEventSources": []}]}
    elif selectors is not None:
        entry["eventSelectors"] = selectors
    if insights is not None:
        entry["insightSelectors"] = list(insights)
    entry["eventConfiguration"] = config if config is not None else {}
    if tags is not None:
        entry["tags"] = [{"Key": k, "Value": v} for k, v in dict(tags).items()]
    return entry


def eds(name, account=A, region=R, selectors=(sel(M),), insights=(), destination=None, config=None, tags=(), **settings):
    e = {
        "EventDataStoreArn": f"arn:aws:cloudtrail:{region}:{account}:eventdatastore/{name}-0000",
        "Name": name,
        "Status": "ENABLED",
        "AdvancedEventSelectors": list(selectors),
        "MultiRegionEnabled": True,
        "OrganizationEnabled": False,
        "RetentionPeriod": 2557,
        "TerminationProtectionEnabled": True,
        "KmsKeyId": f"arn:aws:kms:{region}:{account}:key/00000000-0000-0000-0000-000000000002",
    }
    e.update(settings)
    e = {k: v for k, v in e.items() if v is not None}
    entry = {"eventDataStore": e, "insightSelectors": list(insights), "eventConfiguration": config if config is not None else {"MaxEventSize": "Standard"}}
    if destination:
        entry["insightsDestination"] = destination
    entry["tags"] = [{"Key": k, "Value": v} for k, v in dict(tags).items()]
    return entry


def basic(*selectors):
    return {"EventSelectors": list(selectors)}


def adv(*selectors):
    return {"AdvancedEventSelectors": list(selectors)}


def yaml_policies(policies, exceptions=None):
    # JSON is valid YAML; a header keeps the files recognisable as policy files.
    doc = {"version": 1, "policies": policies}
    if exceptions:
        doc["exceptions"] = exceptions
    return "# Golden case policies (JSON is YAML).\n" + json.dumps(doc, indent=2) + "\n"


def pol(id, require=None, forbid=None, **kw):
    p = {"id": id, "severity": kw.pop("severity", "high"), "resource": kw.pop("resource", "trail")}
    p.update(kw)
    if require is not None:
        p["require"] = require
    if forbid is not None:
        p["forbid"] = forbid
    return p


CASES = {}


def case(name, description, trails=(), stores=(), policies=(), fails=(), ops=(), region=R, rejected=(), exceptions=(), now=None, **snapshot_keys):
    """fails: (policyId, resourceName, check, status) for every non-PASS finding; ops: (resourceName, operation);
    rejected: the policy file's load errors, exactly as printed (then nothing is evaluated);
    now: the evaluation's clock (ISO 8601), for cases whose exceptions expire;
    snapshot_keys: further top-level snapshot fields (e.g. delegatedAdministrator)."""
    intent = {"description": description, "nonPass": [list(f) for f in fails], "operations": [list(o) for o in ops]}
    if rejected:
        intent["rejected"] = list(rejected)
    if now:
        intent["now"] = now
    CASES[name] = {
        "snapshot": {"version": 1, "account": A, "region": region, **snapshot_keys, "trails": list(trails), "eventDataStores": list(stores)},
        "policies": list(policies),
        "exceptions": list(exceptions),
        "intent": intent,
    }


ALL_MGMT = [sel(M)]
WRITE_MGMT = [sel(M, ro("false"))]
PAYROLL = [sel(D, S3, arn_f("StartsWith", "arn:aws:s3:::acme-payroll/"), name="Payroll objects")]
ALL_S3 = [sel(D, S3)]
TR = "trails in us-east-1"

# ---- trail settings -------------------------------------------------------------------------------
case("logging-stopped-remediate", "A stopped trail is started.",
     [trail("main", status=False)], policies=[pol("p", {"logging": True}, action="remediate")],
     fails=[("p", "main", "logging", "FAIL")], ops=[("main", "StartLogging")])
case("logging-delivery-error", "Logging, but the last delivery failed: a finding no automatic repair fixes.",
     [trail("main", status={"IsLogging": True, "LatestDeliveryError": "AccessDenied"})], policies=[pol("p", {"logging": True}, action="remediate")],
     fails=[("p", "main", "logging", "FAIL")])
case("logging-digest-delivery-error", "A digest delivery error fails logging when log file validation is on, and only then.",
     [trail("validated", status={"IsLogging": True, "LatestDigestDeliveryError": "AccessDenied"}),
      trail("unvalidated", LogFileValidationEnabled=False, status={"IsLogging": True, "LatestDigestDeliveryError": "AccessDenied"})],
     policies=[pol("p", {"logging": True})], fails=[("p", "validated", "logging", "FAIL")])
case("logging-cloudwatch-and-sns-errors", "CloudWatch Logs and SNS errors fail logging when a log group or a topic is set, and only then.",
     [trail("cwl", CloudWatchLogsLogGroupArn=f"arn:aws:logs:{R}:{A}:log-group:trail:*", status={"IsLogging": True, "LatestCloudWatchLogsDeliveryError": "AccessDeniedException"}),
      trail("sns", SnsTopicARN=f"arn:aws:sns:{R}:{A}:trail-topic", status={"IsLogging": True, "LatestNotificationError": "AuthorizationError"}),
      trail("stale", status={"IsLogging": True, "LatestCloudWatchLogsDeliveryError": "AccessDeniedException", "LatestNotificationError": "NotFound"})],
     policies=[pol("p", {"logging": True})], fails=[("p", "cwl", "logging", "FAIL"), ("p", "sns", "logging", "FAIL")])
case("delivery-health-alone", "deliveryHealth alone: an S3 delivery error fails it (even on a stopped trail), no error passes, no status is an ERROR.",
     [trail("broken", status={"IsLogging": False, "LatestDeliveryError": "NoSuchBucket"}), trail("healthy"), trail("unknown", status=None)],
     policies=[pol("p", {"deliveryHealth": True}, action="remediate")],
     fails=[("p", "broken", "deliveryHealth", "FAIL"), ("p", "unknown", "deliveryHealth", "ERROR")])
case("logging-status-unknown", "No GetTrailStatus in the snapshot: not known is an ERROR, not a pass.",
     [trail("main", status=None)], policies=[pol("p", {"logging": True})], fails=[("p", "main", "logging", "ERROR")])
case("multi-region-remediate", "A single-Region trail becomes multi-Region, with global service events.",
     [trail("main", IncludeGlobalServiceEvents=False)], policies=[pol("p", {"multiRegion": True}, action="remediate")],
     fails=[("p", "main", "multiRegion", "FAIL")], ops=[("main", "UpdateTrail")])
case("log-file-validation-report-only", "Report-only policies plan nothing.",
     [trail("main", LogFileValidationEnabled=False)], policies=[pol("p", {"logFileValidation": True})],
     fails=[("p", "main", "logFileValidation", "FAIL")])
case("global-events-off-on-multi-region", "Excluding global service events from a multi-Region trail cannot be applied.",
     [trail("main", IsMultiRegionTrail=True)], policies=[pol("p", {"includeGlobalServiceEvents": False}, action="remediate")],
     fails=[("p", "main", "includeGlobalServiceEvents", "FAIL")])
KEY_1 = f"arn:aws:kms:{R}:{A}:key/00000000-0000-0000-0000-000000000001"
KEY_9 = f"arn:aws:kms:{R}:{A}:key/00000000-0000-0000-0000-000000000009"
case("kms-with-key-remediate", "kmsEncrypted with a key ARN is applied with UpdateTrail.",
     [trail("main", KmsKeyId=None)], policies=[pol("p", {"kmsEncrypted": {"kmsKeyId": KEY_9}}, action="remediate")],
     fails=[("p", "main", "kmsEncrypted", "FAIL")], ops=[("main", "UpdateTrail")])
case("kms-other-key-fails", "A trail encrypted with another key fails kmsEncrypted {kmsKeyId}; UpdateTrail sets the required key.",
     [trail("main")], policies=[pol("p", {"kmsEncrypted": {"kmsKeyId": KEY_9}}, action="remediate")],
     fails=[("p", "main", "kmsEncrypted", "FAIL")], ops=[("main", "UpdateTrail")])
case("kms-key-id-matches-arn", "A bare key id matches the key ARN ending in :key/<id>; another key does not.",
     [trail("same"), trail("other", KmsKeyId=KEY_9)],
     policies=[pol("p", {"kmsEncrypted": {"kmsKeyId": "00000000-0000-0000-0000-000000000001"}})],
     fails=[("p", "other", "kmsEncrypted", "FAIL")])
case("eds-kms-other-key-manual", "An event data store's key cannot be changed once set: another key is a finding for a person.",
     [], stores=[eds("lake")], policies=[pol("p", {"kmsEncrypted": {"kmsKeyId": KEY_9}}, resource="eventDataStore", action="remediate")],
     fails=[("p", "lake", "kmsEncrypted", "FAIL")])
case("eds-kms-set-key", "An event data store without a customer managed key gets the required one with UpdateEventDataStore.",
     [], stores=[eds("lake", KmsKeyId=None)], policies=[pol("p", {"kmsEncrypted": {"kmsKeyId": KEY_9}}, resource="eventDataStore", action="remediate")],
     fails=[("p", "lake", "kmsEncrypted", "FAIL")], ops=[("lake", "UpdateEventDataStore")])
case("kms-without-key", "kmsEncrypted: true cannot choose a key: a finding for a person.",
     [trail("main", KmsKeyId=None)], policies=[pol("p", {"kmsEncrypted": True}, action="remediate")],
     fails=[("p", "main", "kmsEncrypted", "FAIL")])
case("tags-required", "Missing and wrong tag values are named.",
     [trail("a", tags={"Owner": "x", "env": "dev"}), trail("b", tags={"Owner": "y", "env": "prod"})],
     policies=[pol("p", {"tags": {"Owner": True, "env": ["prod", "staging"]}})], fails=[("p", "a", "tags", "FAIL")])
case("tags-any-security-hub-9", "tags: {} asks for at least one user tag (CloudTrail.9).",
     [trail("tagged", tags={"team": "sec"}), trail("untagged", tags={})], policies=[pol("p", {"tags": {}})],
     fails=[("p", "untagged", "tags", "FAIL")])
case("tags-unknown", "Tags not in the snapshot: ERROR.", [trail("main", tags=None)], policies=[pol("p", {"tags": {"Owner": True}})],
     fails=[("p", "main", "tags", "ERROR")])

# ---- selectors -----------------------------------------------------------------------------------
case("default-selector-logs-management", "The default basic selector logs all management events.",
     [trail("main")], policies=[pol("p", {"logEvents": ALL_MGMT})])
case("readonly-split-advanced-pass", "readOnly=true and readOnly=false selectors (any names) cover all management events.",
     [trail("main", selectors=adv(sel(M, ro("true"), name="r"), sel(M, ro("false"), name="w")))], policies=[pol("p", {"logEvents": ALL_MGMT})])
case("write-only-basic-remediate-stays-basic", "A WriteOnly basic trail gains read events and stays basic.",
     [trail("main", selectors=basic({"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}))],
     policies=[pol("p", {"logEvents": ALL_MGMT}, action="remediate")], fails=[("p", "main", "logEvents", "FAIL")], ops=[("main", "PutEventSelectors")])
case("exclude-kms-remediate", "Excluded KMS events are brought back.",
     [trail("main", selectors=basic({"ReadWriteType": "All", "ExcludeManagementEventSources": ["kms.amazonaws.com"]}))],
     policies=[pol("p", {"logEvents": ALL_MGMT}, action="remediate")], fails=[("p", "main", "logEvents", "FAIL")], ops=[("main", "PutEventSelectors")])
case("advanced-add-keeps-unrelated", "Adding payroll coverage keeps the unrelated Lambda selector.",
     [trail("main", selectors=adv(sel(M), sel(D, LAMBDA, name="Lambda invocations")))],
     policies=[pol("p", {"logEvents": PAYROLL}, action="remediate")], fails=[("p", "main", "logEvents", "FAIL")], ops=[("main", "PutEventSelectors")])
case("eventname-startswith-not-full", "An eventName StartsWith condition does not cover all S3 writes.",
     [trail("main", selectors=adv(sel(M), sel(D, S3, {"Field": "eventName", "StartsWith": ["Put"]})))],
     policies=[pol("p", {"logEvents": [sel(D, S3, ro("false"))]})], fails=[("p", "main", "logEvents", "FAIL")])
case("s3-notequals-slash-forbid", "NotEquals 'bucket/' excludes nothing: the forbid fails and the repair uses NotStartsWith.",
     [trail("main", selectors=adv(sel(M), sel(D, S3, arn_f("NotEquals", "arn:aws:s3:::acme-payroll/"))))],
     policies=[pol("p", forbid={"logEvents": PAYROLL}, action="remediate")], fails=[("p", "main", "forbid.logEvents", "FAIL")], ops=[("main", "PutEventSelectors")])
case("cost-guard-basic-all-s3", "A basic arn:aws:s3 selector is removed by a cost guard; management logging stays, basic.",
     [trail("main", selectors=basic({"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}))],
     policies=[pol("p", forbid={"logEvents": ALL_S3}, action="remediate")], fails=[("p", "main", "forbid.logEvents", "FAIL")], ops=[("main", "PutEventSelectors")])
case("require-forbid-conflict-across-policies", "One policy requires payroll events, another forbids S3 events: no step, a reason.",
     [trail("main")], policies=[pol("need", {"logEvents": PAYROLL}, action="remediate"), pol("guard", forbid={"logEvents": ALL_S3})],
     fails=[("need", "main", "logEvents", "FAIL")])
case("lambda-arn-exact", "helloworld does not cover helloworld2; the repair adds it to the basic selector list.",
     [trail("main", selectors=basic({"ReadWriteType": "All", "IncludeManagementEvents": True},
                                   {"IncludeManagementEvents": False, "DataResources": [{"Type": "AWS::Lambda::Function", "Values": ["arn:aws:lambda:us-east-1:111122223333:function:helloworld"]}]}))],
     policies=[pol("p", {"logEvents": [sel(D, LAMBDA, arn_f("Equals", "arn:aws:lambda:us-east-1:111122223333:function:helloworld2"))]}, action="remediate")],
     fails=[("p", "main", "logEvents", "FAIL")], ops=[("main", "PutEventSelectors")])
case("snapshot-unknown-field-one-resource", "An unknown Field makes an ERROR for that trail only; the other trail is judged, and its repair planned.",
     [trail("bad", selectors=adv(sel(M), sel({"Field": "eventCategry", "Equals": ["Data"]}))), trail("good", selectors=adv(sel(M, ro("false"))))],
     policies=[pol("p", {"logEvents": ALL_MGMT, "logging": True}, action="remediate")],
     fails=[("p", "bad", "logEvents", "ERROR"), ("p", "good", "logEvents", "FAIL")], ops=[("good", "PutEventSelectors")])
case("snapshot-bad-basic-selector-one-resource", "A malformed basic selector (ReadWriteType Sometimes) is an ERROR for that trail only.",
     [trail("bad", selectors=basic({"ReadWriteType": "Sometimes"})), trail("good")],
     policies=[pol("p", {"logEvents": ALL_MGMT})], fails=[("p", "bad", "logEvents", "ERROR")])
case("selectors-unknown", "No GetEventSelectors in the snapshot: ERROR.", [trail("main", selectors=None)],
     policies=[pol("p", {"logEvents": ALL_MGMT})], fails=[("p", "main", "logEvents", "ERROR")])
case("empty-advanced-list-logs-nothing", "An empty advanced list logs nothing.", [trail("main", selectors=adv())],
     policies=[pol("p", {"logEvents": ALL_MGMT}, action="remediate")], fails=[("p", "main", "logEvents", "FAIL")], ops=[("main", "PutEventSelectors")])
case("basic-whole-service-s3-pass", "A basic arn:aws:s3 value covers all S3 object events.",
     [trail("main", selectors=basic({"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}))],
     policies=[pol("p", {"logEvents": ALL_S3})])

# ---- resource ARNs have a shape (issue 13) --------------------------------------------------------
DDB = {"Field": "resources.type", "Equals": ["AWS::DynamoDB::Table"]}
case("arn-shape-s3-startswith-every-object", "StartsWith arn:aws:s3::: logs every S3 object of an aws trail: PASS.",
     [trail("main", selectors=adv(sel(M), sel(D, S3, arn_f("StartsWith", "arn:aws:s3:::"))))], policies=[pol("p", {"logEvents": ALL_S3}, action="remediate")])
case("arn-shape-s3-notequals-bucket-slash-excludes-nothing", "NotEquals arn:aws:s3:::audit-logs/ excludes no object: every S3 object is logged.",
     [trail("main", selectors=adv(sel(M), sel(D, S3, arn_f("NotEquals", "arn:aws:s3:::audit-logs/"))))], policies=[pol("p", {"logEvents": ALL_S3}, action="remediate")])
case("arn-shape-s3-36-prefixes", "36 prefixes arn:aws:s3:::a … arn:aws:s3:::9 log every object: a bucket name begins with a letter or digit.",
     [trail("main", selectors=adv(sel(M), sel(D, S3, arn_f("StartsWith", *[f"arn:aws:s3:::{c}" for c in "abcdefghijklmnopqrstuvwxyz0123456789"]))))],
     policies=[pol("p", {"logEvents": ALL_S3}, action="remediate")])
case("arn-shape-lambda-dynamodb-startswith", "StartsWith arn:aws:lambda: and arn:aws:dynamodb: log every function and every table.",
     [trail("main", selectors=adv(sel(M), sel(D, LAMBDA, arn_f("StartsWith", "arn:aws:lambda:")), sel(D, DDB, arn_f("StartsWith", "arn:aws:dynamodb:"))))],
     policies=[pol("p", {"logEvents": [sel(D, LAMBDA), sel(D, DDB)]}, action="remediate")])
case("arn-shape-aws-cn-trails", "In aws-cn, arn:aws-cn:s3::: logs every object and arn:aws:s3::: none; the repair adds arn:aws-cn:s3 and stays basic.",
     [trail("china", region="cn-north-1", partition="aws-cn", selectors=adv(sel(M), sel(D, S3, arn_f("StartsWith", "arn:aws-cn:s3:::")))),
      trail("wrong", region="cn-north-1", partition="aws-cn",
            selectors=basic({"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::"]}]}))],
     policies=[pol("p", {"logEvents": ALL_S3}, action="remediate")], fails=[("p", "wrong", "logEvents", "FAIL")], ops=[("wrong", "PutEventSelectors")],
     region="cn-north-1")

# ---- quantifiers ---------------------------------------------------------------------------------
case("any-one-compliant", "One compliant multi-Region trail is enough for quantifier any.",
     [trail("regional"), trail("global", IsMultiRegionTrail=True)], policies=[pol("p", {"multiRegion": True, "logEvents": ALL_MGMT}, quantifier="any")])
case("any-closest-remediated", "No trail passes: the closest one is repaired.",
     [trail("a", status=False, IsMultiRegionTrail=True), trail("b", selectors=basic({"ReadWriteType": "ReadOnly"}))],
     policies=[pol("p", {"logging": True, "multiRegion": True, "logEvents": ALL_MGMT}, quantifier="any", action="remediate")],
     fails=[("p", TR, "logging,multiRegion,logEvents", "FAIL")], ops=[("a", "StartLogging")])
case("any-no-trails", "No trail at all: a finding that says to create one.",
     [], policies=[pol("p", {"logging": True}, quantifier="any", action="remediate")], fails=[("p", TR, "logging", "FAIL")])
case("union-split-across-trails", "Writes on one trail and reads on another together cover all S3 events.",
     [trail("writes", selectors=adv(sel(D, S3, ro("false")))), trail("reads", selectors=adv(sel(D, S3, ro("true"))))],
     policies=[pol("p", {"logEvents": ALL_S3}, quantifier="union")])
case("union-adds-only-missing", "Only the part no trail logs is added, to the best trail.",
     [trail("writes", selectors=adv(sel(M), sel(D, S3, ro("false"))), IsMultiRegionTrail=True), trail("other")],
     policies=[pol("p", {"logEvents": [sel(D, S3, ro("false")), sel(D, S3, ro("true"))]}, quantifier="union", action="remediate")],
     fails=[("p", TR, "logEvents", "FAIL")], ops=[("writes", "PutEventSelectors")])
case("union-ignores-stopped-trail", "A stopped trail logs nothing, whatever its selectors say; the repair starts it.",
     [trail("stopped", status=False, selectors=adv(sel(D, S3)))],
     policies=[pol("p", {"logEvents": ALL_S3}, quantifier="union", action="remediate")], fails=[("p", TR, "logEvents", "FAIL")], ops=[("stopped", "StartLogging")])
case("every-none-selected", "A selection by tags that matches nothing is SKIPPED, not silently passed.",
     [trail("main")], policies=[pol("p", {"logging": True}, select={"tags": {"role": "nope"}})], fails=[("p", TR, "logging", "SKIPPED")])
case("select-names-missing-trail-fails", "A named trail that does not exist is a FAIL (a deleted audit trail), never a SKIPPED; the others are judged.",
     [trail("main")], policies=[pol("p", {"logging": True}, select={"names": ["security-trail", "main"]}, action="remediate"),
                                pol("q", {"logging": True}, select={"names": [f"arn:aws:cloudtrail:{R}:{A}:trail/gone"]}, quantifier="any")],
     fails=[("p", "security-trail", "exists", "FAIL"), ("q", f"arn:aws:cloudtrail:{R}:{A}:trail/gone", "exists", "FAIL")])
case("select-names-and-regions", "Selection by name and by home Region.",
     [trail("a", LogFileValidationEnabled=False), trail("b", LogFileValidationEnabled=False), trail("c", region="eu-west-1", IsMultiRegionTrail=True, LogFileValidationEnabled=False)],
     policies=[pol("byname", {"logFileValidation": True}, select={"names": ["a"]}), pol("byregion", {"logFileValidation": True}, select={"homeRegions": ["eu-west-1"]})],
     fails=[("byname", "a", "logFileValidation", "FAIL"), ("byregion", "c", "logFileValidation", "FAIL")])
case("select-tags-unknown", "Selecting by tags when tags are not known is an ERROR for that trail.",
     [trail("a", tags=None), trail("b", tags={"role": "security"})],
     policies=[pol("p", {"logging": True}, select={"tags": {"role": "security"}})], fails=[("p", "a", "select", "ERROR")])

# ---- shadow and organization trails ---------------------------------------------------------------
case("shadow-trail-not-planned", "A shadow trail is evaluated, never written: it is repaired from its home Region.",
     [trail("eu", region="eu-west-1", IsMultiRegionTrail=True, LogFileValidationEnabled=False)],
     policies=[pol("p", {"logFileValidation": True}, action="remediate")], fails=[("p", "eu", "logFileValidation", "FAIL")])
case("org-trail-other-account", "An organization trail of the management account cannot be repaired from a member account.",
     [trail("org", account="999988887777", IsOrganizationTrail=True, IsMultiRegionTrail=True, LogFileValidationEnabled=False)],
     policies=[pol("p", {"logFileValidation": True}, action="remediate")], fails=[("p", "org", "logFileValidation", "FAIL")])
case("org-trail-delegated-admin", "From the CloudTrail delegated administrator account, the management account's organization trail is repaired.",
     [trail("org", account="999988887777", IsOrganizationTrail=True, IsMultiRegionTrail=True, LogFileValidationEnabled=False)],
     policies=[pol("p", {"logFileValidation": True}, action="remediate")], fails=[("p", "org", "logFileValidation", "FAIL")], ops=[("org", "UpdateTrail")],
     delegatedAdministrator=True)
case("eds-organization-delegated-admin", "From the CloudTrail delegated administrator account, an organization event data store is repaired.",
     [], stores=[eds("org-lake", account="999988887777", OrganizationEnabled=True, TerminationProtectionEnabled=False)],
     policies=[pol("p", {"terminationProtection": True}, resource="eventDataStore", action="remediate")],
     fails=[("p", "org-lake", "terminationProtection", "FAIL")], ops=[("org-lake", "UpdateEventDataStore")], delegatedAdministrator=True)
case("org-trail-owned", "From the management account, the organization trail is repaired.",
     [trail("org", IsOrganizationTrail=True, IsMultiRegionTrail=True, LogFileValidationEnabled=False)],
     policies=[pol("p", {"logFileValidation": True}, action="remediate")], fails=[("p", "org", "logFileValidation", "FAIL")], ops=[("org", "UpdateTrail")])
case("any-counts-shadow-multi-region", "A multi-Region trail from another home Region records events here, so it satisfies any.",
     [trail("global", region="eu-west-1", IsMultiRegionTrail=True), trail("local", status=False)],
     policies=[pol("p", {"logging": True, "logEvents": ALL_MGMT}, quantifier="any")])

# ---- accounts and organizational units ------------------------------------------------------------
ORG = {"id": "o-a1b2c3d4e5", "managementAccount": "999988887777", "path": "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/"}
OTHER = "444455556666"
NO_LFV = trail("main", LogFileValidationEnabled=False)
case("select-accounts", "A policy for other accounts gives no finding here, not even SKIPPED; one naming this account applies.",
     [NO_LFV], policies=[pol("here", {"logFileValidation": True}, select={"accounts": [A]}), pol("elsewhere", {"logFileValidation": True}, select={"accounts": [OTHER]}),
                         pol("elsewhere-any", {"logging": True}, quantifier="any", select={"accounts": [OTHER]})],
     fails=[("here", "main", "logFileValidation", "FAIL")])
case("select-ous-on-path", "An OU anywhere on the account's organization path selects it (the root too); another OU does not; accounts and ous must both hold.",
     [NO_LFV], policies=[pol("parent-ou", {"logFileValidation": True}, select={"ous": ["ou-ab12-11111111"]}), pol("own-ou", {"logFileValidation": True}, select={"ous": ["ou-ab12-22222222"]}),
                         pol("root", {"logFileValidation": True}, select={"ous": ["r-ab12"]}), pol("other-ou", {"logFileValidation": True}, select={"ous": ["ou-ab12-33333333"]}),
                         pol("ou-and-other-account", {"logFileValidation": True}, select={"ous": ["ou-ab12-22222222"], "accounts": [OTHER]})],
     fails=[("parent-ou", "main", "logFileValidation", "FAIL"), ("own-ou", "main", "logFileValidation", "FAIL"), ("root", "main", "logFileValidation", "FAIL")])
CASES["select-ous-on-path"]["snapshot"]["organization"] = ORG
case("select-ous-unknown", "Without an organization section, an OU selection cannot be decided: one ERROR per policy, never a guess; an account list that excludes this account still decides.",
     [NO_LFV], policies=[pol("by-ou", {"logFileValidation": True}, select={"ous": ["ou-ab12-11111111"]}),
                         pol("by-ou-any", {"logging": True}, quantifier="any", select={"ous": ["ou-ab12-11111111"]}),
                         pol("other-account-and-ou", {"logFileValidation": True}, select={"ous": ["ou-ab12-11111111"], "accounts": [OTHER]})],
     fails=[("by-ou", TR, "select", "ERROR"), ("by-ou-any", TR, "select", "ERROR")])
case("account-not-entered", "A member account whose role could not be assumed gives one ERROR per policy that applies to it, never a FAIL or SKIPPED for trails it could not see.",
     policies=[pol("every", {"logFileValidation": True}, action="remediate"), pol("any", {"logging": True}, quantifier="any"),
               pol("eds", {"terminationProtection": True}, resource="eventDataStore"), pol("elsewhere", {"logging": True}, select={"accounts": [OTHER]})],
     fails=[("every", TR, "access", "ERROR"), ("any", TR, "access", "ERROR"), ("eds", "event data stores in us-east-1", "access", "ERROR")])
CASES["account-not-entered"]["snapshot"]["errors"] = [{"part": "AssumeRole", "message": f"AccessDenied: arn:aws:iam::{A}:role/TrailwardenMember: not authorized to perform sts:AssumeRole"}]

# ---- insights ------------------------------------------------------------------------------------
case("insights-missing-remediate", "The whole insight list is sent: what is there plus what is missing.",
     [trail("main", insights=[{"InsightType": "ApiErrorRateInsight", "EventCategories": ["Management"]}])],
     policies=[pol("p", {"insights": [{"InsightType": "ApiCallRateInsight", "EventCategories": ["Management"]}]}, action="remediate")],
     fails=[("p", "main", "insights", "FAIL")], ops=[("main", "PutInsightSelectors")])
case("insights-prerequisite-unmet", "ApiCallRateInsight on management needs write management events: selectors first, then insights.",
     [trail("main", selectors=basic({"ReadWriteType": "ReadOnly"}), insights=[{"InsightType": "ApiCallRateInsight"}])],
     policies=[pol("p", {"insights": [{"InsightType": "ApiCallRateInsight"}]}, action="remediate")],
     fails=[("p", "main", "insights", "FAIL")], ops=[("main", "PutEventSelectors")])
case("insights-default-category", "Insight selectors without categories mean Management.",
     [trail("main", insights=[{"InsightType": "ApiCallRateInsight"}])],
     policies=[pol("p", {"insights": [{"InsightType": "ApiCallRateInsight", "EventCategories": ["Management"]}]})])
case("insights-data-prerequisite-manual", "Data Insights need data events; which ones is a person's choice.",
     [trail("main")], policies=[pol("p", {"insights": [{"InsightType": "ApiCallRateInsight", "EventCategories": ["Data"]}]}, action="remediate")],
     fails=[("p", "main", "insights", "FAIL")])

# ---- event configuration -------------------------------------------------------------------------
case("event-configuration-aggregation", "Aggregation templates are added to what is configured.",
     [trail("main", selectors=adv(sel(M), sel(D, S3)), config={"AggregationConfigurations": [{"Templates": ["USER_ACTIONS"], "EventCategory": "Data"}]})],
     policies=[pol("p", {"eventConfiguration": {"AggregationConfigurations": [{"Templates": ["API_ACTIVITY"], "EventCategory": "Data"}]}}, action="remediate")],
     fails=[("p", "main", "eventConfiguration", "FAIL")], ops=[("main", "PutEventConfiguration")])
case("event-configuration-context-needs-large", "Context keys with MaxEventSize Standard are a finding; the repair sets Large.",
     [], stores=[eds("lake", config={"MaxEventSize": "Standard", "ContextKeySelectors": [{"Type": "TagContext", "Equals": ["project"]}]})],
     policies=[pol("p", {"eventConfiguration": {"ContextKeySelectors": [{"Type": "TagContext", "Equals": ["project"]}]}}, resource="eventDataStore", action="remediate")],
     fails=[("p", "lake", "eventConfiguration", "FAIL")], ops=[("lake", "PutEventConfiguration")])
case("event-configuration-unknown", "No GetEventConfiguration in the snapshot: ERROR.",
     [{**trail("main"), "eventConfiguration": None}], policies=[pol("p", {"eventConfiguration": {"AggregationConfigurations": [{"Templates": ["API_ACTIVITY"], "EventCategory": "Data"}]}})],
     fails=[("p", "main", "eventConfiguration", "ERROR")])

# ---- event data stores ---------------------------------------------------------------------------
case("eds-kms-cloudtrail-10", "Event data stores without a customer managed key fail CloudTrail.10.",
     [], stores=[eds("lake", KmsKeyId=None), eds("safe")], policies=[pol("p", {"kmsEncrypted": True}, resource="eventDataStore")],
     fails=[("p", "lake", "kmsEncrypted", "FAIL")])
case("eds-retention", "Retention is raised automatically, never lowered.",
     [], stores=[eds("short", RetentionPeriod=30), eds("long", RetentionPeriod=3000)],
     policies=[pol("p", {"retentionPeriod": {"minDays": 90, "maxDays": 2557}}, resource="eventDataStore", action="remediate")],
     fails=[("p", "short", "retentionPeriod", "FAIL"), ("p", "long", "retentionPeriod", "FAIL")], ops=[("short", "UpdateEventDataStore")])
case("eds-ingestion-stopped", "Stopped ingestion is started.",
     [], stores=[eds("lake", Status="STOPPED_INGESTION")], policies=[pol("p", {"ingestion": True}, resource="eventDataStore", action="remediate")],
     fails=[("p", "lake", "ingestion", "FAIL")], ops=[("lake", "StartEventDataStoreIngestion")])
case("eds-selectors-remediate", "Event data store selectors are repaired with UpdateEventDataStore.",
     [], stores=[eds("lake", selectors=[sel(M, ro("false"))])], policies=[pol("p", {"logEvents": ALL_MGMT}, resource="eventDataStore", action="remediate")],
     fails=[("p", "lake", "logEvents", "FAIL")], ops=[("lake", "UpdateEventDataStore")])
case("eds-insights-destination", "Event data store Insights need a destination; with one, PutInsightSelectors carries it.",
     [], stores=[eds("with-dest"), eds("without-dest")],
     policies=[pol("a", {"insights": {"selectors": [{"InsightType": "ApiCallRateInsight"}], "destination": "arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/insights-0000"}}, resource="eventDataStore", action="remediate", select={"names": ["with-dest"]}),
               pol("b", {"insights": {"selectors": [{"InsightType": "ApiCallRateInsight"}]}}, resource="eventDataStore", action="remediate", select={"names": ["without-dest"]})],
     fails=[("a", "with-dest", "insights", "FAIL"), ("b", "without-dest", "insights", "FAIL")], ops=[("with-dest", "PutInsightSelectors")])
case("eds-organization-other-account", "An organization event data store of another account is not written from here.",
     [], stores=[eds("org-lake", account="999988887777", OrganizationEnabled=True, TerminationProtectionEnabled=False)],
     policies=[pol("p", {"terminationProtection": True}, resource="eventDataStore", action="remediate")], fails=[("p", "org-lake", "terminationProtection", "FAIL")])

# ---- combining policies --------------------------------------------------------------------------
case("steps-combined-per-resource", "Several policies on one trail give one UpdateTrail and one PutEventSelectors, in order.",
     [trail("main", status=False, LogFileValidationEnabled=False, selectors=basic({"ReadWriteType": "WriteOnly"}))],
     policies=[pol("a", {"logging": True, "logFileValidation": True}, action="remediate"), pol("b", {"multiRegion": True, "logEvents": ALL_MGMT}, action="remediate"),
               pol("c", {"logEvents": PAYROLL}, action="remediate")],
     fails=[("a", "main", "logging", "FAIL"), ("a", "main", "logFileValidation", "FAIL"), ("b", "main", "multiRegion", "FAIL"), ("b", "main", "logEvents", "FAIL"), ("c", "main", "logEvents", "FAIL")],
     ops=[("main", "StartLogging"), ("main", "UpdateTrail"), ("main", "PutEventSelectors")])
case("forbid-report-respected-by-remediation", "A report-only forbid still constrains another policy's repair.",
     [trail("main", selectors=basic({"ReadWriteType": "WriteOnly"}))],
     policies=[pol("need", {"logEvents": ALL_MGMT}, action="remediate"), pol("no-kms-reads", forbid={"logEvents": [sel(M, ro("true"), {"Field": "eventSource", "NotEquals": ["kms.amazonaws.com"]})]})],
     fails=[("need", "main", "logEvents", "FAIL")])
READ_MGMT = [sel(M, ro("true"))]
case("planner-conflict-passing-read-requirement",
     "Basic All trail; p requires write and forbids read management events, q (passing) requires read: a conflict naming both, nothing planned (not WriteOnly).",
     [trail("main")], policies=[pol("p", {"logEvents": WRITE_MGMT}, forbid={"logEvents": READ_MGMT}, action="remediate"), pol("q", {"logEvents": READ_MGMT})],
     fails=[("p", "main", "forbid.logEvents", "FAIL")])
case("planner-conflict-keeps-all-management",
     "p would make a data-only trail (forbids management events), q (passing) requires them: nothing planned, every management event stays logged.",
     [trail("main", selectors=basic({"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::acme-payroll/"]}]}))],
     policies=[pol("p", {"logEvents": PAYROLL}, forbid={"logEvents": ALL_MGMT}, action="remediate"), pol("q", {"logEvents": ALL_MGMT})],
     fails=[("p", "main", "forbid.logEvents", "FAIL")])
case("planner-conflict-union-relies-on-trail",
     "A cost guard would remove S3 events from the only trail that logs them, breaking a passing union policy: a conflict, nothing planned.",
     [trail("lean", selectors=basic({"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]})), trail("main")],
     policies=[pol("guard", forbid={"logEvents": ALL_S3}, select={"names": ["lean"]}, action="remediate"),
               pol("s3-writes", {"logEvents": [sel(D, S3, ro("false"))]}, quantifier="union")],
     fails=[("guard", "lean", "forbid.logEvents", "FAIL")])
case("planner-forbid-without-conflict",
     "The same cost guard when another trail also logs S3 writes: the union keeps passing, so S3 events are removed from the lean trail.",
     [trail("lean", selectors=basic({"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]})),
      trail("main", selectors=adv(sel(M), sel(D, S3, ro("false"))))],
     policies=[pol("guard", forbid={"logEvents": ALL_S3}, select={"names": ["lean"]}, action="remediate"),
               pol("s3-writes", {"logEvents": [sel(D, S3, ro("false"))]}, quantifier="union"), pol("mgmt", {"logEvents": ALL_MGMT})],
     fails=[("guard", "lean", "forbid.logEvents", "FAIL")], ops=[("lean", "PutEventSelectors")])
case("fixed-point-after-plan", "A compliant trail plans nothing, even with remediate policies.",
     [trail("main", IsMultiRegionTrail=True)], policies=[pol("p", {"logging": True, "multiRegion": True, "logEvents": ALL_MGMT, "logFileValidation": True}, action="remediate")])


# ---- only what AWS accepts (fields per category and target, event configuration, retention) -------
KMS_MGMT = [sel(M, {"Field": "eventSource", "Equals": ["kms.amazonaws.com"]}, name="KMS management events")]
CONSOLE_LOGIN = [sel(M, {"Field": "eventName", "Equals": ["ConsoleLogin"]}, name="Console sign-ins")]
KMS_NETWORK = [sel({"Field": "eventCategory", "Equals": ["NetworkActivity"]}, {"Field": "eventSource", "Equals": ["kms.amazonaws.com"]}, name="KMS calls through VPC endpoints")]
AGGREGATE = {"AggregationConfigurations": [{"Templates": ["API_ACTIVITY"], "EventCategory": "Data"}]}
case("trail-management-eventname-rejected", "A trail cannot filter management events by eventName: the policy is rejected at load, naming the rule.",
     [trail("main")], policies=[pol("p", {"logEvents": CONSOLE_LOGIN}, action="remediate")],
     rejected=["policies.yaml:21:15: error: policies[0].require.logEvents[0].FieldSelectors[1]: eventName is not allowed in Management selectors on a trail (allowed: eventCategory, eventSource, readOnly); event data stores allow it"])
case("eds-management-eventname-remediate", "An event data store takes eventName on management events: the requirement is added.",
     [], stores=[eds("lake", selectors=[sel(D, S3)])], policies=[pol("p", {"logEvents": CONSOLE_LOGIN}, resource="eventDataStore", action="remediate")],
     fails=[("p", "lake", "logEvents", "FAIL")], ops=[("lake", "UpdateEventDataStore")])
case("cost-guard-forbid-kms-equals", "The cost guard forbids eventSource Equals kms.amazonaws.com; the repair writes it as an exclusion, basic stays basic.",
     [trail("main")], policies=[pol("p", forbid={"logEvents": KMS_MGMT}, action="remediate")],
     fails=[("p", "main", "forbid.logEvents", "FAIL")], ops=[("main", "PutEventSelectors")])
case("forbid-eventname-trail-not-removable", "A trail cannot exclude ConsoleLogin alone: the forbid is reported, and no selector AWS rejects is planned.",
     [trail("main")], policies=[pol("p", forbid={"logEvents": CONSOLE_LOGIN}, action="remediate")],
     fails=[("p", "main", "forbid.logEvents", "FAIL")])
case("forbid-eventname-eds-removed", "An event data store excludes ConsoleLogin exactly with eventName NotEquals.",
     [], stores=[eds("lake")], policies=[pol("p", forbid={"logEvents": CONSOLE_LOGIN}, resource="eventDataStore", action="remediate")],
     fails=[("p", "lake", "forbid.logEvents", "FAIL")], ops=[("lake", "UpdateEventDataStore")])
case("network-activity-require-trail", "Network activity events need advanced selectors: a basic trail is converted exactly and the selector added.",
     [trail("main")], policies=[pol("p", {"logEvents": KMS_NETWORK}, action="remediate")],
     fails=[("p", "main", "logEvents", "FAIL")], ops=[("main", "PutEventSelectors")])
case("event-configuration-trail-size-rejected", "MaxEventSize is for event data stores: a trail policy asking for it is rejected at load.",
     [trail("main")], policies=[pol("p", {"eventConfiguration": {"MaxEventSize": "Large"}}, action="remediate")],
     rejected=["policies.yaml:12:11: error: policies[0].require.eventConfiguration.MaxEventSize: MaxEventSize is set on event data stores only; a trail takes AggregationConfigurations only (PutEventConfiguration: event size and context keys for event data stores, aggregation for trails)"])
case("event-configuration-trail-only-aggregation", "A trail's repair sends TrailName with AggregationConfigurations only, never the MaxEventSize it reads back.",
     [trail("main", selectors=adv(sel(M), sel(D, S3)), config={"MaxEventSize": "Standard", "ContextKeySelectors": [{"Type": "TagContext", "Equals": ["project"]}]})],
     policies=[pol("p", {"eventConfiguration": AGGREGATE}, action="remediate")],
     fails=[("p", "main", "eventConfiguration", "FAIL")], ops=[("main", "PutEventConfiguration")])
case("event-configuration-store-no-aggregation", "An event data store's repair sends size and context keys, never aggregation read back.",
     [], stores=[eds("lake", config={"MaxEventSize": "Standard", **AGGREGATE})],
     policies=[pol("p", {"eventConfiguration": {"ContextKeySelectors": [{"Type": "RequestContext", "Equals": ["aws:SourceIp"]}]}}, resource="eventDataStore", action="remediate")],
     fails=[("p", "lake", "eventConfiguration", "FAIL")], ops=[("lake", "PutEventConfiguration")])
case("event-configuration-store-aggregation-rejected", "Aggregation is for trails: an event data store policy asking for it is rejected at load.",
     [], stores=[eds("lake")], policies=[pol("p", {"eventConfiguration": AGGREGATE}, resource="eventDataStore")],
     rejected=["policies.yaml:11:11: error: policies[0].require.eventConfiguration.AggregationConfigurations: AggregationConfigurations is set on trails only; an event data store takes MaxEventSize and ContextKeySelectors (PutEventConfiguration: event size and context keys for event data stores, aggregation for trails)"])
case("eds-retention-billing-mode-cap", "Retention is raised only as far as the billing mode allows: 3000 days on an extendable store, a manual finding on a fixed or unknown one.",
     [], stores=[eds("fixed", RetentionPeriod=365, BillingMode="FIXED_RETENTION_PRICING"), eds("extendable", RetentionPeriod=365, BillingMode="EXTENDABLE_RETENTION_PRICING"),
                 eds("unknown", RetentionPeriod=365)],
     policies=[pol("p", {"retentionPeriod": {"minDays": 3000}}, resource="eventDataStore", action="remediate")],
     fails=[("p", "fixed", "retentionPeriod", "FAIL"), ("p", "extendable", "retentionPeriod", "FAIL"), ("p", "unknown", "retentionPeriod", "FAIL")],
     ops=[("extendable", "UpdateEventDataStore")])
case("eds-retention-min-above-max-rejected", "minDays above maxDays can never pass: rejected at load.",
     [], stores=[eds("lake")], policies=[pol("p", {"retentionPeriod": {"minDays": 400, "maxDays": 7}}, resource="eventDataStore")],
     rejected=["policies.yaml:11:22: error: policies[0].require.retentionPeriod.minDays: minDays (400) is above maxDays (7); no retention period satisfies both"])


# ---- exceptions ----------------------------------------------------------------------------------
LFV = pol("lfv", {"logFileValidation": True}, action="remediate")
LEGACY = {"resources": ["legacy"], "checks": ["lfv/logFileValidation"], "reason": "legacy trail, replaced in Q3 (TICKET-42)", "expires": "2026-07-01"}
case("exception-suppresses-until-expiry", "An exception in force suppresses the finding and plans nothing for it; the other trail is repaired.",
     [trail("legacy", LogFileValidationEnabled=False), trail("main", LogFileValidationEnabled=False)], policies=[LFV], exceptions=[LEGACY],
     now="2026-06-30T23:59:59Z", fails=[("lfv", "legacy", "logFileValidation", "SUPPRESSED"), ("lfv", "main", "logFileValidation", "FAIL")],
     ops=[("main", "UpdateTrail")])
case("exception-expired", "From its expiry date on, the exception is ignored: the finding fails again, says so, and is repaired.",
     [trail("legacy", LogFileValidationEnabled=False)], policies=[LFV], exceptions=[LEGACY],
     now="2026-07-01T00:00:00Z", fails=[("lfv", "legacy", "logFileValidation", "FAIL")], ops=[("legacy", "UpdateTrail")])
case("exception-tags-accounts-never", "Scopes by tags (unknown tags: not applied) and by account on an any-policy, with expires: never.",
     [trail("sandbox", tags={"env": "sandbox"}, LogFileValidationEnabled=False), trail("untagged", tags=None, LogFileValidationEnabled=False),
      trail("org", account="999988887777", IsOrganizationTrail=True, status=False)],
     policies=[pol("lfv", {"logFileValidation": True}), pol("org-logging", {"logging": True, "multiRegion": True}, quantifier="any")],
     exceptions=[{"tags": {"env": "sandbox"}, "checks": ["logFileValidation"], "reason": "sandbox accounts keep no evidence", "expires": "never"},
                 {"accounts": [A], "checks": ["org-logging"], "reason": "member account: the organization trail is audited centrally", "expires": "never"}],
     now="2026-06-01T00:00:00Z",
     fails=[("lfv", "sandbox", "logFileValidation", "SUPPRESSED"), ("lfv", "untagged", "logFileValidation", "FAIL"),
            ("org-logging", TR, "logging,multiRegion", "SUPPRESSED")])
PAYROLL_RISK = {"resources": ["main"], "checks": ["payroll/logEvents"], "reason": "payroll moves to its own account in Q3 (TICKET-7)", "expires": "2026-09-30"}
case("exception-requirement-not-kept-by-planner", "A requirement suppressed on a trail is an accepted risk: the planner neither adds it there nor lets it contradict another policy's forbid, so the other repair goes ahead without it.",
     [trail("main", selectors=adv(sel(M)))],
     policies=[pol("payroll", {"logEvents": PAYROLL}, action="remediate"), pol("no-s3-data", forbid={"logEvents": ALL_S3}, action="remediate"),
               pol("lambda", {"logEvents": [sel(D, LAMBDA)]}, action="remediate")],
     exceptions=[PAYROLL_RISK], now="2026-06-01T00:00:00Z",
     fails=[("payroll", "main", "logEvents", "SUPPRESSED"), ("lambda", "main", "logEvents", "FAIL")],
     ops=[("main", "PutEventSelectors")])


def main():
    for name in os.listdir(HERE):
        path = os.path.join(HERE, name)
        if os.path.isdir(path) and name not in CASES:
            shutil.rmtree(path)
    for name, c in CASES.items():
        d = os.path.join(HERE, name)
        os.makedirs(d, exist_ok=True)
        snapshot = c["snapshot"]
        for t in snapshot["trails"]:
            if t.get("eventConfiguration") is None:
                t.pop("eventConfiguration", None)
        with open(os.path.join(d, "snapshot.json"), "w") as f:
            json.dump(snapshot, f, indent=2)
            f.write("\n")
        with open(os.path.join(d, "policies.yaml"), "w") as f:
            f.write(yaml_policies(c["policies"], c["exceptions"]))
        with open(os.path.join(d, "intent.json"), "w") as f:
            json.dump(c["intent"], f, indent=2)
            f.write("\n")
    print(f"{len(CASES)} cases")


if __name__ == "__main__":
    main()
