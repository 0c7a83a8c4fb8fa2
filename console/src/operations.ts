// Every GraphQL operation the console sends. graphql-codegen turns each into a typed document
// (src/gql), so a schema change that breaks one of them fails `npm run typecheck`.
import { graphql } from "./gql";

export const ViewerQuery = graphql(`
  query Viewer {
    viewer {
      keyName
      organization {
        id
        name
      }
    }
  }
`);

export const UserErrorFields = graphql(`
  fragment UserErrorFields on UserError {
    code
    message
    field
  }
`);

// ---------------------------------------------------------------- clients

export const ClientsQuery = graphql(`
  query Clients($first: Int, $after: String, $last: Int, $before: String, $search: String) {
    clients(first: $first, after: $after, last: $last, before: $before, search: $search) {
      totalCount
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        node {
          id
          name
          industry
          website
          brandColors
          stats {
            campaignCount
            jobCount
            actualCostUsd
            renderedSeconds
          }
        }
      }
    }
  }
`);

export const ClientQuery = graphql(`
  query Client($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
    node(id: $id) {
      __typename
      ... on Client {
        id
        name
        website
        industry
        brandColors
        stats {
          campaignCount
          jobCount
          completedJobCount
          failedJobCount
          estimatedCostUsd
          actualCostUsd
          renderedSeconds
        }
        campaigns(first: $first, after: $after, last: $last, before: $before) {
          totalCount
          pageInfo {
            hasNextPage
            hasPreviousPage
            startCursor
            endCursor
          }
          edges {
            node {
              id
              name
              objective
              status
              budgetUsd
              stats {
                jobCount
                actualCostUsd
                renderedSeconds
              }
            }
          }
        }
      }
    }
  }
`);

export const CreateClientMutation = graphql(`
  mutation CreateClient($input: CreateClientInput!) {
    createClient(input: $input) {
      client {
        id
        name
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const UpdateClientMutation = graphql(`
  mutation UpdateClient($input: UpdateClientInput!) {
    updateClient(input: $input) {
      client {
        id
        name
        website
        industry
        brandColors
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const DeleteClientMutation = graphql(`
  mutation DeleteClient($input: DeleteClientInput!) {
    deleteClient(input: $input) {
      deletedClientId
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

// ---------------------------------------------------------------- campaigns

export const CampaignQuery = graphql(`
  query Campaign($id: ID!, $status: [JobStatus!], $after: String) {
    node(id: $id) {
      __typename
      ... on Campaign {
        id
        name
        objective
        status
        budgetUsd
        client {
          id
          name
        }
        stats {
          jobCount
          completedJobCount
          failedJobCount
          estimatedCostUsd
          actualCostUsd
          renderedSeconds
        }
        jobs(first: 20, after: $after, status: $status) {
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
          edges {
            node {
              id
              status
              stage
              progress
              createdAt
              durationSeconds
              aspectRatio
              brief {
                product
              }
              cost {
                estimatedUsd
                actualUsd
              }
            }
          }
        }
      }
    }
  }
`);

export const CreateCampaignMutation = graphql(`
  mutation CreateCampaign($input: CreateCampaignInput!) {
    createCampaign(input: $input) {
      campaign {
        id
        name
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const UpdateCampaignMutation = graphql(`
  mutation UpdateCampaign($input: UpdateCampaignInput!) {
    updateCampaign(input: $input) {
      campaign {
        id
        name
        objective
        status
        budgetUsd
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const DeleteCampaignMutation = graphql(`
  mutation DeleteCampaign($input: DeleteCampaignInput!) {
    deleteCampaign(input: $input) {
      deletedCampaignId
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

// ---------------------------------------------------------------- assets

export const AssetFields = graphql(`
  fragment AssetFields on Asset {
    id
    kind
    role
    status
    filename
    contentType
    byteSize
    width
    height
    durationSeconds
    url
    thumbnailUrl
    sourceUrl
    error {
      code
      message
    }
  }
`);

export const ClientAssetsQuery = graphql(`
  query ClientAssets($clientId: ID!) {
    assets(clientId: $clientId, first: 100) {
      totalCount
      edges {
        node {
          ...AssetFields
        }
      }
    }
  }
`);

export const CreateAssetUploadMutation = graphql(`
  mutation CreateAssetUpload($input: CreateAssetUploadInput!) {
    createAssetUpload(input: $input) {
      asset {
        id
      }
      uploadUrl
      expiresAt
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const ImportAssetMutation = graphql(`
  mutation ImportAsset($input: ImportAssetFromUrlInput!) {
    importAssetFromUrl(input: $input) {
      asset {
        ...AssetFields
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const DeleteAssetMutation = graphql(`
  mutation DeleteAsset($input: DeleteAssetInput!) {
    deleteAsset(input: $input) {
      deletedAssetId
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

// ---------------------------------------------------------------- new ad

export const EstimateJobQuery = graphql(`
  query EstimateJob($input: CreateJobInput!) {
    estimateJob(input: $input) {
      estimatedUsd
      budgetUsd
      withinBudget
      durationSeconds
      sceneCount
      scenes {
        position
        beat
        title
        durationSeconds
        estimatedUsd
      }
      lines {
        kind
        provider
        usd
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const VoicesQuery = graphql(`
  query Voices($language: String) {
    voices(language: $language) {
      provider
      id
      name
      language
      gender
    }
  }
`);

export const CreateJobMutation = graphql(`
  mutation CreateJob($input: CreateJobInput!) {
    createJob(input: $input) {
      job {
        id
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

// ---------------------------------------------------------------- job

export const SceneFields = graphql(`
  fragment SceneFields on Scene {
    id
    position
    beat
    title
    description
    script
    caption
    prompt
    shotType
    transition
    durationSeconds
    continuity
    status
    refinements
    feedback
    cost {
      estimatedUsd
      actualUsd
    }
    error {
      code
      message
    }
    image {
      id
      url
      thumbnailUrl
    }
  }
`);

export const RenderFields = graphql(`
  fragment RenderFields on Render {
    id
    format
    resolution
    aspectRatio
    quality
    captions
    isDefault
    status
    progress
    error {
      code
      message
    }
    asset {
      id
      url
      byteSize
      filename
      contentType
    }
  }
`);

export const JobQuery = graphql(`
  query Job($id: ID!) {
    node(id: $id) {
      __typename
      ... on Job {
        id
        status
        stage
        progress
        durationSeconds
        aspectRatio
        continuity
        captions
        autoApprove
        refinementsUsed
        refinementsLimit
        availableActions
        warnings
        createdAt
        brief {
          product
          audience
          tone
          callToAction
          prompt
        }
        cost {
          estimatedUsd
          actualUsd
          varianceRatio
        }
        budgetUsd
        error {
          code
          stage
          message
          retryable
        }
        campaign {
          id
          name
          client {
            id
            name
          }
        }
        scenes {
          ...SceneFields
        }
        output {
          id
          asset {
            id
            url
          }
        }
        renders {
          ...RenderFields
        }
        captionFiles {
          id
          filename
          url
        }
      }
    }
  }
`);

export const JobEventsSubscription = graphql(`
  subscription JobEvents($jobId: ID!, $after: String) {
    jobEvents(jobId: $jobId, after: $after) {
      sequence
      cursor
      type
      sceneId
      status
      stage
      progress
      message
      at
    }
  }
`);

export const UpdateSceneMutation = graphql(`
  mutation UpdateScene($input: UpdateSceneInput!) {
    updateScene(input: $input) {
      scene {
        ...SceneFields
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const AddSceneMutation = graphql(`
  mutation AddScene($input: AddSceneInput!) {
    addScene(input: $input) {
      scene {
        id
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const DeleteSceneMutation = graphql(`
  mutation DeleteScene($input: DeleteSceneInput!) {
    deleteScene(input: $input) {
      deletedSceneId
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const ReorderScenesMutation = graphql(`
  mutation ReorderScenes($input: ReorderScenesInput!) {
    reorderScenes(input: $input) {
      job {
        id
        scenes {
          ...SceneFields
        }
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const RegenerateSceneMutation = graphql(`
  mutation RegenerateScene($input: RegenerateSceneInput!) {
    regenerateScene(input: $input) {
      scene {
        ...SceneFields
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const ApproveStoryboardMutation = graphql(`
  mutation ApproveStoryboard($input: ApproveStoryboardInput!) {
    approveStoryboard(input: $input) {
      job {
        id
        status
        availableActions
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const RetryJobMutation = graphql(`
  mutation RetryJob($input: RetryJobInput!) {
    retryJob(input: $input) {
      job {
        id
        status
        availableActions
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const CancelJobMutation = graphql(`
  mutation CancelJob($input: CancelJobInput!) {
    cancelJob(input: $input) {
      job {
        id
        status
        availableActions
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const ExportJobMutation = graphql(`
  mutation ExportJob($input: ExportJobInput!) {
    exportJob(input: $input) {
      render {
        ...RenderFields
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
`);

export const CampaignHeaderQuery = graphql(`
  query CampaignHeader($id: ID!) {
    node(id: $id) {
      __typename
      ... on Campaign {
        id
        name
        budgetUsd
        client {
          id
          name
        }
      }
    }
  }
`);
