//! One file per page; the project-creation wizard has its own folder with one file per step.

pub mod auth_form;
pub mod branches;
pub mod connections;
pub mod not_found;
pub mod pipelines;
pub mod project;
pub mod projects;
pub mod sign_in;
pub mod sign_up;
pub mod sign_up_confirm;
pub mod wizard;

pub use connections::ConnectionsPage;
pub use not_found::NotFound;
pub use pipelines::{EditPipelinePage, NewPipelinePage, PipelineViewPage};
pub use project::ProjectPage;
pub use projects::ProjectsPage;
pub use sign_in::SignIn;
pub use sign_up::SignUp;
pub use sign_up_confirm::SignUpConfirm;
