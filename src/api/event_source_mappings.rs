//! Event source mappings: validation per source type, states, listing.

use super::{aws_error, Api};
use lambda_server::error::ServiceError;
use lambda_server::model as m;

pub async fn create_event_source_mapping(api: &Api, input: m::CreateEventSourceMappingRequest) -> Result<m::EventSourceMappingConfiguration, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("create_event_source_mapping is not available yet"))
}

pub async fn delete_event_source_mapping(api: &Api, input: m::DeleteEventSourceMappingRequest) -> Result<m::EventSourceMappingConfiguration, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("delete_event_source_mapping is not available yet"))
}

pub async fn get_event_source_mapping(api: &Api, input: m::GetEventSourceMappingRequest) -> Result<m::EventSourceMappingConfiguration, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("get_event_source_mapping is not available yet"))
}

pub async fn list_event_source_mappings(api: &Api, input: m::ListEventSourceMappingsRequest) -> Result<m::ListEventSourceMappingsResponse, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("list_event_source_mappings is not available yet"))
}

pub async fn update_event_source_mapping(api: &Api, input: m::UpdateEventSourceMappingRequest) -> Result<m::EventSourceMappingConfiguration, ServiceError> {
    let _ = (api, input);
    Err(aws_error::service("update_event_source_mapping is not available yet"))
}
