//! Pieces several pages share: the layout, the sign-in guard, headings, messages and the
//! Bitbucket authorization panel.

pub mod authorize_panel;
pub mod error_message;
pub mod field;
pub mod install_offer;
pub mod layout;
pub mod loading;
pub mod require_user;
pub mod resume_draft;
pub mod sandbox_banner;
pub mod step_heading;
pub mod step_indicator;
pub mod wizard_step;

pub use authorize_panel::{connection_problem, use_oauth_error, AuthorizePanel};
pub use error_message::{AlertSlot, ErrorMessage, PageNotLoaded, TryAgain};
pub use install_offer::InstallOffer;
pub use layout::Layout;
pub use loading::Loading;
pub use require_user::{GuardedOutlet, RequireUser};
pub use resume_draft::ResumeDraft;
pub use sandbox_banner::SandboxBanner;
pub use step_heading::{PageHeading, StepHeading};
pub use step_indicator::{Flow, StepIndicator};
pub use wizard_step::WizardStep;
