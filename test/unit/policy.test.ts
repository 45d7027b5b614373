import { describe, expect, test } from "bun:test";
import { S3Error } from "../../src/core/errors.ts";
import { ANONYMOUS, buildIdentities, type Principal } from "../../src/core/access/identities.ts";
import { evaluatePolicy, isPublicPolicy, parsePolicy, type PolicyDecision } from "../../src/core/access/policy.ts";

const identities = buildIdentities([
  { name: "alice", keys: [{ accessKeyId: "AKA", secretAccessKey: "s" }] },
  { name: "bob", keys: [{ accessKeyId: "AKB", secretAccessKey: "s" }] },
]);
const alice = identities.byAccessKey("AKA")!;
const bob = identities.byAccessKey("AKB")!;
const BUCKET = "photos";
const ARN = `arn:aws:s3:::${BUCKET}`;

type Doc = Record<string, unknown>;
const statement = (extra: Doc = {}): Doc => ({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `${ARN}/*`, ...extra });
const policyOf = (...statements: Doc[]) => parsePolicy(JSON.stringify({ Version: "2012-10-17", Statement: statements }), BUCKET, identities);

function errorOf(text: string): S3Error {
  try {
    parsePolicy(text, BUCKET, identities);
  } catch (error) {
    if (error instanceof S3Error) return error;
    throw error;
  }
  throw new Error("policy was accepted");
}

interface Ask { who?: Principal; action?: string; key?: string | null; context?: Record<string, string | string[]> }
function decide(policy: ReturnType<typeof parsePolicy>, { who = alice, action = "s3:GetObject", key = "a.txt", context = {} }: Ask = {}): PolicyDecision {
  const resource = key === null ? ARN : `${ARN}/${key}`;
  return evaluatePolicy(policy, { principal: who, action, resource, context: new Map(Object.entries(context)) });
}
/** One Allow-for-everyone statement with this Condition, asked with this context. */
const holds = (condition: Doc, context: Record<string, string | string[]> = {}) =>
  decide(policyOf(statement({ Condition: condition })), { context }) === "Allow";

describe("parsePolicy refuses malformed documents with AWS's reason", () => {
  const doc = (d: Doc) => JSON.stringify(d);
  const one = (s: Doc) => doc({ Version: "2012-10-17", Statement: [s] });
  const without = (field: string) => one(Object.fromEntries(Object.entries(statement()).filter(([k]) => k !== field)));
  const cases: [string, string, string][] = [
    ["not JSON at all", "Version: 2012", "Policies must be valid JSON and the first byte must be '{'"],
    ["broken JSON", '{"Version": "2012-10-17",', "This policy contains invalid Json"],
    ["an unknown Version", doc({ Version: "2020-01-01", Statement: [statement()] }), "The policy must contain a valid version string"],
    ["no Statement", doc({ Version: "2012-10-17" }), "Missing required field Statement"],
    ["an empty Statement", doc({ Version: "2012-10-17", Statement: [] }), "Could not parse the policy: Statement is empty!"],
    ["an unknown top-level field", doc({ Version: "2012-10-17", Statement: [statement()], Comment: "x" }), "Unknown field Comment"],
    ["an unknown statement field", one(statement({ Actions: "s3:GetObject" })), "Unknown field Actions"],
    ["no Effect", without("Effect"), "Missing required field Effect"],
    ["an invalid Effect", one(statement({ Effect: "Maybe" })), "Invalid effect: Maybe"],
    ["no Principal", without("Principal"), "Missing required field Principal"],
    ["both Principal and NotPrincipal", one(statement({ NotPrincipal: { AWS: alice.arn } })), "Statement/policy already has instance of Principal"],
    ["no Action", without("Action"), "Missing required field Action"],
    ["no Resource", without("Resource"), "Missing required field Resource"],
    ["an action S3 does not have", one(statement({ Action: "s3:GetObjekt" })), "Policy has invalid action"],
    ["another service's action", one(statement({ Action: "iam:CreateUser" })), "Policy has invalid action"],
    ["another bucket", one(statement({ Resource: "arn:aws:s3:::other/*" })), "Policy has invalid resource"],
    ["a bucket whose name only starts like this one", one(statement({ Resource: `${ARN}-old/*` })), "Policy has invalid resource"],
    ["Resource *", one(statement({ Resource: "*" })), "Policy has invalid resource"],
    ["an unknown account", one(statement({ Principal: { AWS: "123456789012" } })), "Invalid principal in policy"],
    ["an unknown user", one(statement({ Principal: { AWS: `arn:aws:iam::${alice.accountId}:user/mallory` } })), "Invalid principal in policy"],
    ["an unknown canonical user", one(statement({ Principal: { CanonicalUser: "ab".repeat(32) } })), "Invalid principal in policy"],
    ["a principal string other than *", one(statement({ Principal: "alice" })), "Invalid principal in policy"],
    ["a role principal", one(statement({ Principal: { AWS: `arn:aws:iam::${alice.accountId}:role/r` } })), "Invalid principal in policy"],
    ["a misspelt operator", one(statement({ Condition: { StringEqualz: { "s3:prefix": "a" } } })), "Invalid Condition type : StringEqualz"],
    ["a lower-case operator", one(statement({ Condition: { stringequals: { "s3:prefix": "a" } } })), "Invalid Condition type : stringequals"],
    ["Null with IfExists", one(statement({ Condition: { NullIfExists: { "s3:prefix": "true" } } })), "Invalid Condition type : NullIfExists"],
    ["an unknown condition key", one(statement({ Condition: { StringEquals: { "aws:SourceIpp": "a" } } })), "Policy has an invalid condition key"],
    ["a CIDR that is none", one(statement({ Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/33" } } })), "Invalid IP address in Conditions"],
    ["a source address under a string operator", one(statement({ Condition: { StringLike: { "aws:SourceIp": "10.*" } } })), "Invalid IP address in Conditions"],
    ["ListBucket on objects only", one(statement({ Action: "s3:ListBucket" })), "Action does not apply to any resource(s) in statement"],
    ["GetObject on the bucket only", one(statement({ Resource: ARN })), "Action does not apply to any resource(s) in statement"],
    ["a repeated Sid", doc({ Statement: [statement({ Sid: "A" }), statement({ Sid: "A" })] }), "Statement IDs (SID) in a single policy must be unique"],
    ["an Action that is a number", one(statement({ Action: 7 })), "Syntax errors in policy."],
    ["over 20 KB", one(statement({ Sid: "x".repeat(21_000) })), "Policies must be less than 20 KB"],
  ];
  test.each(cases)("%s", (_name, text, message) => {
    const error = errorOf(text);
    expect(error.code).toBe("MalformedPolicy");
    expect(error.status).toBe(400);
    expect(error.message).toBe(message);
  });
});

describe("parsePolicy accepts what AWS accepts", () => {
  test("no Version (read as 2008-10-17), one Statement object, an Id, and case-insensitive action names", () => {
    const policy = parsePolicy(JSON.stringify({ Id: "p1", Statement: statement({ Action: "S3:getobject" }) }), BUCKET, identities);
    expect(policy.version).toBe("2008-10-17");
    expect(policy.id).toBe("p1");
    expect(decide(policy)).toBe("Allow");
  });

  test("every principal form that names a known identity, and service principals", () => {
    for (const AWS of [alice.accountId, `arn:aws:iam::${alice.accountId}:root`, alice.arn, "*", [alice.arn, bob.accountId]]) {
      expect(() => policyOf(statement({ Principal: { AWS } }))).not.toThrow();
    }
    expect(() => policyOf(statement({ Principal: { CanonicalUser: alice.canonicalId } }))).not.toThrow();
    expect(decide(policyOf(statement({ Principal: { Service: "cloudtrail.amazonaws.com" } })))).toBe("NotApplicable");
  });

  test("wildcard actions, actions outside the bucket/object split, and leading whitespace", () => {
    expect(() => policyOf(statement({ Action: ["s3:*", "*", "s3:Get*", "s3:?etObject"], Resource: [ARN, `${ARN}/*`] }))).not.toThrow();
    expect(() => parsePolicy(`\n  ${JSON.stringify({ Statement: [statement()] })}`, BUCKET, identities)).not.toThrow();
  });
});

describe("matching principals, actions and resources", () => {
  test("* matches everyone, anonymous included; an account matches its user; a user ARN only that user", () => {
    expect(decide(policyOf(statement()), { who: ANONYMOUS })).toBe("Allow");
    expect(decide(policyOf(statement({ Principal: { AWS: "*" } })), { who: ANONYMOUS })).toBe("Allow");
    const byAccount = policyOf(statement({ Principal: { AWS: `arn:aws:iam::${alice.accountId}:root` } }));
    expect([decide(byAccount), decide(byAccount, { who: bob }), decide(byAccount, { who: ANONYMOUS })]).toEqual(["Allow", "NotApplicable", "NotApplicable"]);
    const byArn = policyOf(statement({ Principal: { AWS: alice.arn } }));
    expect([decide(byArn), decide(byArn, { who: bob })]).toEqual(["Allow", "NotApplicable"]);
    const byCanonical = policyOf(statement({ Principal: { CanonicalUser: bob.canonicalId } }));
    expect([decide(byCanonical), decide(byCanonical, { who: bob })]).toEqual(["NotApplicable", "Allow"]);
  });

  test("actions match case-insensitively with * and ?", () => {
    const policy = policyOf(statement({ Action: ["s3:Get*", "s3:?utObject"] }));
    expect(decide(policy, { action: "s3:GetObjectTagging" })).toBe("Allow");
    expect(decide(policy, { action: "S3:GETOBJECT" })).toBe("Allow");
    expect(decide(policy, { action: "s3:PutObject" })).toBe("Allow");
    expect(decide(policy, { action: "s3:DeleteObject" })).toBe("NotApplicable");
  });

  test("resources match case-sensitively; * spans slashes and ? is one character", () => {
    const policy = policyOf(statement({ Resource: [`${ARN}/public/*`, `${ARN}/file?.txt`] }));
    expect(decide(policy, { key: "public/a/b/c.jpg" })).toBe("Allow");
    expect(decide(policy, { key: "Public/a.jpg" })).toBe("NotApplicable");
    expect(decide(policy, { key: "file1.txt" })).toBe("Allow");
    expect(decide(policy, { key: "file10.txt" })).toBe("NotApplicable");
    expect(decide(policyOf(statement({ Resource: `${ARN}/emoji?` })), { key: "emoji\u{1F600}" })).toBe("Allow");
  });

  test("NotAction, NotResource and NotPrincipal apply to everything but what they list", () => {
    const notAction = policyOf(statement({ Action: undefined, NotAction: "s3:Delete*", Resource: [ARN, `${ARN}/*`] }));
    expect([decide(notAction, { action: "s3:PutObject" }), decide(notAction, { action: "s3:DeleteObject" })]).toEqual(["Allow", "NotApplicable"]);
    const notResource = policyOf(statement({ Resource: undefined, NotResource: `${ARN}/private/*` }));
    expect([decide(notResource, { key: "a" }), decide(notResource, { key: "private/a" })]).toEqual(["Allow", "NotApplicable"]);
    const notPrincipal = policyOf(statement({ Principal: undefined, NotPrincipal: { AWS: alice.arn } }));
    expect([decide(notPrincipal), decide(notPrincipal, { who: bob }), decide(notPrincipal, { who: ANONYMOUS })]).toEqual(["NotApplicable", "Allow", "Allow"]);
  });

  test("an explicit Deny wins over any Allow, in either order; nothing matching is NotApplicable", () => {
    const deny = statement({ Effect: "Deny", Principal: { AWS: bob.arn } });
    expect(decide(policyOf(statement(), deny), { who: bob })).toBe("Deny");
    expect(decide(policyOf(deny, statement()), { who: bob })).toBe("Deny");
    expect(decide(policyOf(statement(), deny))).toBe("Allow");
    expect(decide(policyOf(deny))).toBe("NotApplicable");
  });
});

describe("Condition operators", () => {
  test("several keys AND, several values OR, several operators AND; keys are case-insensitive", () => {
    const condition = { StringEquals: { "S3:Prefix": ["a/", "b/"], "s3:delimiter": "/" }, NumericLessThan: { "s3:max-keys": "100" } };
    expect(holds(condition, { "s3:prefix": "b/", "s3:delimiter": "/", "s3:max-keys": "10" })).toBe(true);
    expect(holds(condition, { "s3:prefix": "c/", "s3:delimiter": "/", "s3:max-keys": "10" })).toBe(false);
    expect(holds(condition, { "s3:prefix": "a/", "s3:max-keys": "10" })).toBe(false);
    expect(holds(condition, { "s3:prefix": "a/", "s3:delimiter": "/", "s3:max-keys": "500" })).toBe(false);
  });

  test("string operators: case, wildcards, and negation (a missing key satisfies only the negated ones)", () => {
    const key = "aws:useragent";
    expect(holds({ StringEquals: { [key]: "Curl" } }, { [key]: "curl" })).toBe(false);
    expect(holds({ StringEqualsIgnoreCase: { [key]: "Curl" } }, { [key]: "curl" })).toBe(true);
    expect(holds({ StringNotEqualsIgnoreCase: { [key]: "Curl" } }, { [key]: "curl" })).toBe(false);
    expect(holds({ StringLike: { [key]: "aws-cli/*" } }, { [key]: "aws-cli/2.15 Python" })).toBe(true);
    expect(holds({ StringNotLike: { [key]: ["aws-cli/*", "boto?/*"] } }, { [key]: "boto3/1.0" })).toBe(false);
    expect(holds({ StringNotEquals: { [key]: "x" } }, { [key]: "y" })).toBe(true);
    expect(holds({ StringEquals: { [key]: "x" } })).toBe(false);
    expect(holds({ StringNotEquals: { [key]: "x" } })).toBe(true);
    expect(holds({ StringNotLike: { [key]: "x*" } })).toBe(true);
  });

  test("…IfExists holds when the key is missing and checks it when present", () => {
    expect(holds({ StringEqualsIfExists: { "s3:x-amz-acl": "private" } })).toBe(true);
    expect(holds({ StringEqualsIfExists: { "s3:x-amz-acl": "private" } }, { "s3:x-amz-acl": "public-read" })).toBe(false);
    expect(holds({ NumericLessThanIfExists: { "s3:max-keys": "10" } }, { "s3:max-keys": "5" })).toBe(true);
    expect(holds({ IpAddressIfExists: { "aws:SourceIp": "10.0.0.0/8" } })).toBe(true);
  });

  test("Null: true means the key must be absent, false that it must be present", () => {
    expect(holds({ Null: { "s3:x-amz-server-side-encryption": "true" } })).toBe(true);
    expect(holds({ Null: { "s3:x-amz-server-side-encryption": "true" } }, { "s3:x-amz-server-side-encryption": "AES256" })).toBe(false);
    expect(holds({ Null: { "s3:x-amz-server-side-encryption": "false" } }, { "s3:x-amz-server-side-encryption": "AES256" })).toBe(true);
    expect(holds({ Null: { "s3:x-amz-server-side-encryption": false } })).toBe(false);
  });

  test("numeric operators compare numbers, not strings; a non-number never matches", () => {
    expect(holds({ NumericLessThanEquals: { "s3:max-keys": 10 } }, { "s3:max-keys": "9" })).toBe(true);
    expect(holds({ NumericGreaterThan: { "s3:max-keys": "9" } }, { "s3:max-keys": "10" })).toBe(true);
    expect(holds({ NumericEquals: { "s3:max-keys": "10" } }, { "s3:max-keys": "10.0" })).toBe(true);
    expect(holds({ NumericGreaterThanEquals: { "s3:max-keys": "10" } }, { "s3:max-keys": "ten" })).toBe(false);
    expect(holds({ NumericNotEquals: { "s3:max-keys": "10" } }, { "s3:max-keys": "11" })).toBe(true);
  });

  test("date operators read ISO 8601 (with zones and fractions) and epoch seconds", () => {
    const now = { "aws:currenttime": "2024-06-01T12:00:00Z", "aws:epochtime": "1717243200" };
    expect(holds({ DateLessThan: { "aws:CurrentTime": "2024-06-01T12:00:01Z" } }, now)).toBe(true);
    expect(holds({ DateGreaterThan: { "aws:CurrentTime": "2024-06-01" } }, now)).toBe(true);
    expect(holds({ DateEquals: { "aws:CurrentTime": "2024-06-01T14:00:00+02:00" } }, now)).toBe(true);
    expect(holds({ DateEquals: { "aws:CurrentTime": "1717243200" } }, now)).toBe(true);
    expect(holds({ DateLessThanEquals: { "aws:EpochTime": "2024-06-01T12:00:00.000Z" } }, now)).toBe(true);
    expect(holds({ DateGreaterThanEquals: { "aws:CurrentTime": "2024-06-01T12:00:00.5Z" } }, now)).toBe(false);
    expect(holds({ DateLessThan: { "aws:CurrentTime": "2025-02-30T00:00:00Z" } }, now)).toBe(false);
    expect(holds({ DateNotEquals: { "aws:CurrentTime": "2024-06-02" } }, now)).toBe(true);
  });

  test("Bool and BinaryEquals", () => {
    expect(holds({ Bool: { "aws:SecureTransport": "false" } }, { "aws:securetransport": "false" })).toBe(true);
    expect(holds({ Bool: { "aws:SecureTransport": true } }, { "aws:securetransport": "false" })).toBe(false);
    expect(holds({ BinaryEquals: { "s3:x-amz-content-sha256": "aGVsbG8=" } }, { "s3:x-amz-content-sha256": "aGVsbG8=" })).toBe(true);
    expect(holds({ BinaryEquals: { "s3:x-amz-content-sha256": "aGVsbG8=" } }, { "s3:x-amz-content-sha256": "d29ybGQ=" })).toBe(false);
  });

  test("IpAddress and NotIpAddress over IPv4 and IPv6 CIDRs", () => {
    const allow = { IpAddress: { "aws:SourceIp": ["192.0.2.0/24", "2001:db8::/32", "203.0.113.7"] } };
    expect(holds(allow, { "aws:sourceip": "192.0.2.200" })).toBe(true);
    expect(holds(allow, { "aws:sourceip": "192.0.3.1" })).toBe(false);
    expect(holds(allow, { "aws:sourceip": "203.0.113.7" })).toBe(true);
    expect(holds(allow, { "aws:sourceip": "2001:db8:1234::1" })).toBe(true);
    expect(holds(allow, { "aws:sourceip": "2001:db9::1" })).toBe(false);
    expect(holds(allow, { "aws:sourceip": "::ffff:192.0.2.9" })).toBe(true);
    expect(holds({ IpAddress: { "aws:SourceIp": "::ffff:0:0/96" } }, { "aws:sourceip": "::ffff:10.1.2.3" })).toBe(true);
    expect(holds({ NotIpAddress: { "aws:SourceIp": "10.0.0.0/8" } }, { "aws:sourceip": "11.0.0.1" })).toBe(true);
    expect(holds({ NotIpAddress: { "aws:SourceIp": "10.0.0.0/8" } }, { "aws:sourceip": "10.9.9.9" })).toBe(false);
    expect(holds({ NotIpAddress: { "aws:SourceIp": "10.0.0.0/8" } })).toBe(true);
    expect(holds({ IpAddress: { "aws:SourceIp": "10.0.0.0/8" } })).toBe(false);
  });

  test("ARN operators match each of the six parts on its own", () => {
    const key = "aws:sourcearn";
    expect(holds({ ArnLike: { "aws:SourceArn": "arn:aws:sns:*:111122223333:topic-*" } }, { [key]: "arn:aws:sns:us-east-1:111122223333:topic-a" })).toBe(true);
    expect(holds({ ArnLike: { "aws:SourceArn": "arn:aws:sns:*:111122223333:topic-*" } }, { [key]: "arn:aws:sns:us-east-1:444455556666:topic-a" })).toBe(false);
    // A * in one part does not reach across a colon into the next.
    expect(holds({ ArnLike: { "aws:SourceArn": "arn:aws:*:111122223333:x" } }, { [key]: "arn:aws:sns:us-east-1:111122223333:x" })).toBe(false);
    expect(holds({ ArnEquals: { "aws:SourceArn": "arn:aws:s3:::b/k:with:colons" } }, { [key]: "arn:aws:s3:::b/k:with:colons" })).toBe(true);
    expect(holds({ ArnNotLike: { "aws:SourceArn": "arn:aws:sns:*:*:*" } }, { [key]: "arn:aws:sqs:eu-west-1:111122223333:q" })).toBe(true);
    expect(holds({ ArnNotEquals: { "aws:SourceArn": "arn:aws:sns:*:*:*" } })).toBe(true);
  });

  test("ForAnyValue and ForAllValues over multi-valued keys", () => {
    const tags = { "s3:requestobjecttagkeys": ["team", "cost"] };
    expect(holds({ "ForAnyValue:StringEquals": { "s3:RequestObjectTagKeys": ["team"] } }, tags)).toBe(true);
    expect(holds({ "ForAllValues:StringEquals": { "s3:RequestObjectTagKeys": ["team"] } }, tags)).toBe(false);
    expect(holds({ "ForAllValues:StringEquals": { "s3:RequestObjectTagKeys": ["team", "cost", "env"] } }, tags)).toBe(true);
    expect(holds({ "ForAnyValue:StringNotEquals": { "s3:RequestObjectTagKeys": ["team"] } }, tags)).toBe(true);
    expect(holds({ "ForAllValues:StringNotLike": { "s3:RequestObjectTagKeys": ["t*"] } }, tags)).toBe(false);
    // A missing key: ForAllValues holds (vacuously), ForAnyValue does not.
    expect(holds({ "ForAllValues:StringEquals": { "s3:RequestObjectTagKeys": ["team"] } })).toBe(true);
    expect(holds({ "ForAnyValue:StringEquals": { "s3:RequestObjectTagKeys": ["team"] } })).toBe(false);
    expect(holds({ "ForAnyValue:StringLikeIfExists": { "s3:RequestObjectTagKeys": ["x*"] } })).toBe(true);
  });
});

describe("policy variables", () => {
  const home = (version?: string) => {
    const doc = { Version: version, Statement: [statement({ Principal: { AWS: [alice.arn, bob.arn] }, Resource: `${ARN}/home/\${aws:username}/*` })] };
    return parsePolicy(JSON.stringify(doc), BUCKET, identities);
  };

  test("${aws:username} in a Resource resolves per request under 2012-10-17", () => {
    const policy = home("2012-10-17");
    expect(decide(policy, { key: "home/alice/a.txt", context: { "aws:username": "alice" } })).toBe("Allow");
    expect(decide(policy, { who: bob, key: "home/alice/a.txt", context: { "aws:username": "bob" } })).toBe("NotApplicable");
    // An unresolvable variable matches nothing.
    expect(decide(policy, { key: "home/alice/a.txt" })).toBe("NotApplicable");
  });

  test("2008-10-17 and a missing Version take ${…} literally", () => {
    for (const policy of [home("2008-10-17"), home(undefined)]) {
      expect(decide(policy, { key: "home/alice/a.txt", context: { "aws:username": "alice" } })).toBe("NotApplicable");
      expect(decide(policy, { key: "home/${aws:username}/a.txt" })).toBe("Allow");
    }
  });

  test("variables in condition values, defaults, and ${*} ${?} ${$} as literal characters", () => {
    const ctx = { "s3:prefix": "home/alice/", "aws:username": "alice", "aws:userid": "AIDA1", "aws:principaltype": "User" };
    expect(holds({ StringLike: { "s3:prefix": "home/${aws:username}/*" } }, ctx)).toBe(true);
    expect(holds({ StringEquals: { "s3:prefix": "home/${aws:userid}/" } }, ctx)).toBe(false);
    expect(holds({ StringEquals: { "aws:PrincipalType": "${aws:principaltype}" } }, { "aws:principaltype": "User" })).toBe(true);
    expect(holds({ StringEquals: { "s3:prefix": "home/${aws:username, 'guest'}/" } }, { "s3:prefix": "home/guest/" })).toBe(true);
    expect(holds({ StringEquals: { "s3:prefix": "it''s ${aws:username, 'it''s'}" } }, { "s3:prefix": "it''s it's" })).toBe(true);
    expect(holds({ StringLike: { "s3:prefix": "a${*}b${?}c${$}" } }, { "s3:prefix": "a*b?c$" })).toBe(true);
    expect(holds({ StringLike: { "s3:prefix": "a${*}b" } }, { "s3:prefix": "axxb" })).toBe(false);
    expect(holds({ ArnEquals: { "aws:PrincipalArn": `arn:aws:iam::${alice.accountId}:user/\${aws:username}` } }, { "aws:principalarn": alice.arn, "aws:username": "alice" })).toBe(true);
    // Numeric values take no variables: the text is compared as written, and is no number.
    expect(holds({ NumericEquals: { "s3:max-keys": "${aws:username}" } }, { "s3:max-keys": "5", "aws:username": "5" })).toBe(false);
  });
});

describe("isPublicPolicy follows \"The Meaning of Public\"", () => {
  const cases: [string, Doc[], boolean][] = [
    ["Principal * without a condition", [statement()], true],
    ["{\"AWS\": \"*\"}", [statement({ Principal: { AWS: "*" } })], true],
    ["a wildcard aws:SourceVpc", [statement({ Condition: { StringLike: { "aws:SourceVpc": "vpc-*" } } })], true],
    ["a fixed aws:SourceVpc", [statement({ Condition: { StringEquals: { "aws:SourceVpc": "vpc-91237329" } } })], false],
    ["a narrow aws:SourceIp", [statement({ Condition: { IpAddress: { "aws:SourceIp": ["192.0.2.0/24", "2001:db8::/48"] } } })], false],
    ["aws:SourceIp broader than /8", [statement({ Condition: { IpAddress: { "aws:SourceIp": "0.0.0.0/1" } } })], true],
    ["aws:SourceIp ::/0", [statement({ Condition: { IpAddress: { "aws:SourceIp": "::/0" } } })], true],
    ["NotIpAddress pins nothing", [statement({ Condition: { NotIpAddress: { "aws:SourceIp": "192.0.2.0/24" } } })], true],
    ["IfExists pins nothing", [statement({ Condition: { StringEqualsIfExists: { "aws:SourceAccount": "111122223333" } } })], true],
    ["a key S3 does not count", [statement({ Condition: { StringEquals: { "aws:UserAgent": "x" } } })], true],
    ["a policy variable is no fixed value", [statement({ Condition: { StringEquals: { "aws:userid": "${aws:username}" } } })], true],
    ["a fixed aws:PrincipalOrgID", [statement({ Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } } })], false],
    ["an access point ARN with a fixed account", [statement({ Condition: { ArnLike: { "s3:DataAccessPointArn": "arn:aws:s3:us-west-2:123456789012:accesspoint/*" } } })], false],
    ["fixed principals only", [statement({ Principal: { AWS: [alice.arn, bob.accountId] } }), statement({ Principal: { Service: "logging.s3.amazonaws.com" } })], false],
    ["Deny for everyone", [statement({ Effect: "Deny" })], false],
    ["NotPrincipal in an Allow", [statement({ Principal: undefined, NotPrincipal: { AWS: alice.arn } })], true],
    ["one public statement beside fixed ones", [statement({ Principal: { AWS: alice.arn } }), statement({ Sid: "public" })], true],
  ];
  test.each(cases)("%s", (_name, statements, expected) => {
    expect(isPublicPolicy(policyOf(...statements))).toBe(expected);
  });
});
