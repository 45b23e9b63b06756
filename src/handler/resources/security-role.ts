/*
 * The provider's own security role on a domain with fine-grained access control
 * (Custom::OpenSearchMlSecurityRole): the cluster and index permissions that pipelines and indexes
 * need and ml_full_access lacks. A document of the generic REST path; the role mapping that gives it
 * to the provider role is a Custom::OpenSearchMlRoleMapping (role-mapping.ts).
 */
import { SECURITY_ROLE_RESOURCE_TYPE, SecurityApiAuth, SecurityRoleResourceProperties } from '../../contract';
import { optionalString } from '../properties';
import { describedBy, restDocument } from './rest-document';

export const securityRoleResource = restDocument<SecurityRoleResourceProperties>({
  type: SECURITY_ROLE_RESOURCE_TYPE,
  noun: 'security role',
  key: 'role',
  path: (name) => `/_plugins/_security/api/roles/${encodeURIComponent(name)}`,
  marked: describedBy,
  more: (props) => {
    const secret = optionalString(props, 'masterUserSecretArn');
    return { auth: (secret ? 'masterUserSecret' : 'sigv4') as SecurityApiAuth, masterUserSecretArn: secret };
  },
  masterUserSecretArn: (props) => props.masterUserSecretArn,
});
