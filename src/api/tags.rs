//! Tags on every taggable resource: ListTags, TagResource, UntagResource.

use super::{aws_error, Api};
use lambda_server::error::ServiceError;
use lambda_server::model as m;

pub async fn list_tags(api: &Api, input: m::ListTagsRequest) -> Result<m::ListTagsResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("list_tags is not available yet"))
}

pub async fn tag_resource(api: &Api, input: m::TagResourceRequest) -> Result<(), ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("tag_resource is not available yet"))
}

pub async fn untag_resource(api: &Api, input: m::UntagResourceRequest) -> Result<(), ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("untag_resource is not available yet"))
}
