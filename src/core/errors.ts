// S3 errors: the one error type handlers throw, the table of AWS codes, and their XML rendering.
// Codes and messages are AWS's strings verbatim; nothing here knows about requests or storage.
import { renderXml } from "./xml.ts";

export const ERROR_CODES = {
  AccessDenied: [403, "Access Denied"],
  AccessForbidden: [403, "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."],
  BadRequest: [400, "Insufficient information. Origin request header needed."],
  AuthorizationHeaderMalformed: [400, "The authorization header is malformed."],
  AuthorizationQueryParametersError: [400, "Error parsing the X-Amz-Credential parameter."],
  BadDigest: [400, "The Content-MD5 or checksum value that you specified did not match what the server received."],
  BucketAlreadyOwnedByYou: [409, "Your previous request to create the named bucket succeeded and you already own it."],
  BucketNotEmpty: [409, "The bucket you tried to delete is not empty"],
  EntityTooSmall: [400, "Your proposed upload is smaller than the minimum allowed object size."],
  EntityTooLarge: [400, "Your proposed upload exceeds the maximum allowed object size."],
  IncompleteBody: [400, "You did not provide the number of bytes specified by the Content-Length HTTP header."],
  InternalError: [500, "We encountered an internal error. Please try again."],
  InvalidAccessKeyId: [403, "The AWS Access Key Id you provided does not exist in our records."],
  InvalidArgument: [400, "Invalid Argument"],
  InvalidBucketName: [400, "The specified bucket is not valid."],
  InvalidBucketState: [409, "The request is not valid for the current state of the bucket."],
  InvalidDigest: [400, "The Content-MD5 you specified is not valid."],
  InvalidEncryptionAlgorithmError: [400, "The encryption request you specified is not valid. Supported value: AES256."],
  InvalidLocationConstraint: [400, "The specified location-constraint is not valid"],
  InvalidPart: [400, "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag."],
  InvalidPartOrder: [400, "The list of parts was not in ascending order. Parts must be ordered by part number."],
  InvalidPolicyDocument: [400, "The content of the form does not meet the conditions specified in the policy document."],
  InvalidRange: [416, "The requested range is not satisfiable"],
  InvalidRequest: [400, "Invalid Request"],
  InvalidStorageClass: [400, "The storage class you specified is not valid"],
  InvalidTag: [400, "The tag provided was not a valid tag. This error can occur if the tag did not pass input validation."],
  InvalidURI: [400, "Couldn't parse the specified URI."],
  "KMS.NotFoundException": [400, "The specified KMS key does not exist."],
  KeyTooLongError: [400, "Your key is too long"],
  MalformedPOSTRequest: [400, "The body of your POST request is not well-formed multipart/form-data."],
  MalformedXML: [400, "The XML you provided was not well-formed or did not validate against our published schema."],
  MaxMessageLengthExceeded: [400, "Your request was too big."],
  MaxPostPreDataLengthExceeded: [400, "Your POST request fields preceding the upload file were too large."],
  MetadataTooLarge: [400, "Your metadata headers exceed the maximum allowed metadata size."],
  MethodNotAllowed: [405, "The specified method is not allowed against this resource."],
  MissingContentLength: [411, "You must provide the Content-Length HTTP header."],
  MissingSecurityHeader: [400, "Your request is missing a required header."],
  NoSuchCORSConfiguration: [404, "The CORS configuration does not exist"],
  NoSuchBucketPolicy: [404, "The bucket policy does not exist"],
  NoSuchLifecycleConfiguration: [404, "The lifecycle configuration does not exist"],
  NoSuchTagSet: [404, "The TagSet does not exist"],
  NoSuchWebsiteConfiguration: [404, "The specified bucket does not have a website configuration"],
  ObjectLockConfigurationNotFoundError: [404, "Object Lock configuration does not exist for this bucket"],
  NoSuchObjectLockConfiguration: [404, "The specified object does not have a ObjectLock configuration"],
  ReplicationConfigurationNotFoundError: [404, "The replication configuration was not found"],
  NoSuchBucket: [404, "The specified bucket does not exist"],
  NoSuchKey: [404, "The specified key does not exist."],
  NoSuchVersion: [404, "The specified version does not exist."],
  NoSuchUpload: [404, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."],
  NotImplemented: [501, "A header or query you provided implies functionality that is not implemented."],
  PreconditionFailed: [412, "At least one of the pre-conditions you specified did not hold"],
  RequestHeaderSectionTooLarge: [400, "Your request header section exceeds the maximum allowed size."],
  RequestTimeTooSkewed: [403, "The difference between the request time and the current time is too large."],
  ServiceUnavailable: [503, "Service is unable to handle request."],
  SignatureDoesNotMatch: [403, "The request signature we calculated does not match the signature you provided. Check your key and signing method."],
  XAmzContentSHA256Mismatch: [400, "The provided 'x-amz-content-sha256' header does not match what was computed."],
  AccessControlListNotSupported: [400, "The bucket does not allow ACLs"],
  BucketAlreadyExists: [409, "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again."],
  IdMismatch: [400, "Document ID does not match the specified configuration ID."],
  IllegalLocationConstraintException: [400, "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to."],
  InvalidBucketAclWithBlockPublicAccessError: [400, "Bucket cannot have public ACLs set with BlockPublicAccess enabled"],
  InvalidBucketAclWithObjectOwnership: [400, "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"],
  InvalidObjectState: [403, "The operation is not valid for the object's storage class"],
  InvalidTargetBucketForLogging: [400, "The target bucket for logging does not exist, is not owned by you, or does not have the appropriate grants for the log-delivery group."],
  MalformedACLError: [400, "The XML you provided was not well-formed or did not validate against our published schema"],
  MalformedPolicy: [400, "Policies must be valid JSON and the first byte must be '{'"],
  MissingRequestBodyError: [400, "Request body is empty."],
  NoSuchConfiguration: [404, "The specified configuration does not exist."],
  NoSuchPublicAccessBlockConfiguration: [404, "The public access block configuration was not found"],
  OwnershipControlsNotFoundError: [404, "The bucket ownership controls were not found"],
  RestoreAlreadyInProgress: [409, "Object restore is already in progress"],
  ServerSideEncryptionConfigurationNotFoundError: [404, "The server side encryption configuration was not found"],
  TooManyConfigurations: [400, "You are attempting to create a new configuration but have already reached the 1,000-configuration limit."],
  UnexpectedContent: [400, "This request does not support content"],
  UnresolvableGrantByEmailAddress: [400, "The e-mail address you provided does not match any account on record."],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Extra elements AWS adds to some errors (BucketName, Key, StringToSign, …), rendered in order. */
export type ErrorDetail = { message?: string } & Record<string, string | number | undefined>;

export class S3Error extends Error {
  readonly status: number;
  readonly fields: Record<string, string | number>;

  /** @param headers response headers AWS sends with this error (Allow, for MethodNotAllowed). */
  constructor(readonly code: ErrorCode, detail: ErrorDetail = {}, readonly headers: Record<string, string> = {}) {
    const [status, defaultMessage] = ERROR_CODES[code];
    super(detail.message ?? defaultMessage);
    this.name = "S3Error";
    this.status = status;
    const { message: _message, ...rest } = detail;
    this.fields = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as Record<string, string | number>;
  }
}

/** S3's InvalidArgument, naming the argument and the value it refused. */
export const invalidArgument = (message: string, name?: string, value?: string | number): S3Error =>
  new S3Error("InvalidArgument", { message, ArgumentName: name, ArgumentValue: value });

/** Error response as S3 sends it: XML body, except for HEAD, which gets status and headers only. */
export function errorResponse(error: S3Error, resource: string, requestId: string, method: string): Response {
  const headers = new Headers({ "x-amz-request-id": requestId, "x-amz-id-2": requestId });
  for (const [name, value] of Object.entries(error.headers)) headers.set(name, value);
  if (method === "HEAD") {
    headers.set("x-amz-error-code", error.code);
    return new Response(null, { status: error.status, headers });
  }
  headers.set("content-type", "application/xml");
  const body = renderXml("Error", {
    Code: error.code,
    Message: error.message,
    ...error.fields,
    Resource: resource,
    RequestId: requestId,
  }, { namespace: false });
  return new Response(body, { status: error.status, headers });
}
