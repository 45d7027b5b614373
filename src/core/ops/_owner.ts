// The account s3lite names as the owner of buckets and listed objects (ListBuckets, ListObjects*),
// whichever credential signed the request.

export const OWNER = { ID: "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a", DisplayName: "s3lite" };
