Feature: Property transfer with water, power and gas transfer
  Buyer (the applicant) and seller, both parties of the case, come once, together, to the window
  for identity checks and signatures;
  the taxes, the transfer registration and the utility transfers follow without another trip.

  Background:
    Given the catalogue in "workflows"
    And today is 2026-09-29
    And an applicant "王五" with resident ID "330106199004040036"

  Scenario: One visit to the window, six working days across National Day
    When the clerk opens a case of "property-transfer" at the window of "hz-citizen-centre" for the applicant
    And the applicant fills in the form:
      | field    | value              |
      | seller_id | 330106199004040036 |
    And the applicant submits a complete application
    Then the case has 1 trip
    When the clerk accepts the case
    Then the case is due on 2026-10-13
    And the case deadline is final
    And item "330100-BDC-ZYDJ" is "waiting"
    When the reviewer of "sc-tax" starts review of "330102-SW-CLFJYSF"
    And the reviewer of "sc-tax" approves "330102-SW-CLFJYSF"
    Then item "330100-BDC-ZYDJ" is "ready"
    And item "330100-BDC-ZYDJ" is due on 2026-10-12
    When every remaining item is approved
    And the payment service confirms the fee of "330100-BDC-ZYDJ"
    And the clerk delivers the results electronically
    Then the case is "delivered"
    And the case has 1 trip

  Scenario: Buyer and seller both come once; each party sees only their own progress
    Given the party "seller" is "李四" with resident ID "330106199008080078"
    When the clerk opens a case of "property-transfer" at the window of "hz-citizen-centre" for the applicant
    And the applicant submits a complete application
    Then the case has 1 trip
    And the party "buyer" has 1 trip
    And the party "seller" has 1 trip
    And the progress view of the party "seller" shows only their own data
    And the progress view of the party "buyer" shows only their own data

  Scenario: A suspension stops the clock
    When the clerk opens a case of "property-transfer" at the window for the applicant
    And the applicant submits a complete application
    And the clerk accepts the case
    And item "330102-SW-CLFJYSF" is approved
    And the reviewer starts review of "330100-BDC-ZYDJ"
    And the reviewer suspends "330100-BDC-ZYDJ" because "异议登记核查"
    Then item "330100-BDC-ZYDJ" is "suspended"
    When 2 working days pass
    And the reviewer of "hz-ghzy" resumes "330100-BDC-ZYDJ"
    Then the case is due on 2026-10-15
    And the progress view shows "Resumed"

  Scenario: An online application still needs the signing visit before acceptance
    When the applicant opens a case of "property-transfer" online
    And the applicant submits a complete application
    And the clerk accepts the case
    Then the action is refused with "onsite_required"
    When the clerk records an on-site visit for "330100-BDC-ZYDJ": "双方当面签字、人脸核验"
    And the clerk accepts the case
    Then the action is refused with "incomplete"
    When the party "buyer" signs at the window
    And the party "seller" signs at the window
    Then the party "seller" has signed "property-registration-application"
    When the clerk accepts the case
    Then the case has 1 trip
    And the party "seller" has 1 trip
    And the case is "in_progress"

  Scenario: The seller sends an agent with a notarised authorisation; the seller makes no trip
    Given the party "seller" is "李四" with resident ID "330106199008080078"
    And the agent "赵六" acts for the party "seller" under the authorisation "(2026)浙杭证字第1234号"
    When the clerk opens a case of "property-transfer" at the window of "hz-citizen-centre" for the applicant
    And the applicant submits a complete application
    Then the party "seller" has signed "property-registration-application"
    And the party "seller" has 0 trips
    And the party "seller's agent" has 1 trip
    When the clerk accepts the case
    Then the case is "in_progress"

  Scenario: Handed in online, each party signs online and nobody comes again
    When the clerk opens a case of "property-transfer" at the window of "hz-citizen-centre" for the applicant
    And the applicant submits the materials:
      | material |
    And the clerk gives the one-time notice
    Then the one-time notice lists "property-registration-application"
    When 1 working day passes
    And the applicant supplies "property-registration-application" online
    And the clerk accepts the case
    Then the action is refused with "incomplete"
    When the party "buyer" signs online
    And the party "seller" signs "property-registration-application" online
    And the clerk accepts the case
    Then the case is "in_progress"
    And the case has 1 trip

  Scenario: A second trip needs a reason and is flagged for supervision
    When the clerk opens a case of "property-transfer" at the window for the applicant
    And the applicant submits a complete application
    And the clerk accepts the case
    And 1 working day passes
    And the clerk records an on-site visit for "330100-BDC-ZYDJ": "补签"
    Then the action is refused with "trip_budget"
    When the clerk records an on-site visit for "330100-BDC-ZYDJ": "补签" over budget because "申请人要求当面补签"
    Then the case has 2 trips

  Scenario: A deadline beyond the official calendar data is provisional
    Given today is 2026-12-28
    When the clerk opens a case of "property-transfer" at the window for the applicant
    And the applicant submits a complete application
    And the clerk accepts the case
    Then the case deadline is provisional
    And the case is due on 2027-01-06

  Scenario: The buyer cannot be the seller
    When the clerk opens a case of "property-transfer" at the window for the applicant
    And the applicant fills in the form:
      | field     | value              |
      | seller_id | 330106199004040036 |
      | buyer_id  | 330106199004040036 |
    And the applicant submits a complete application
    And the clerk gives the one-time notice
    Then the one-time notice lists:
      | kind      | id                                 |
      | condition | 330102-SW-CLFJYSF/seller-not-buyer |
      | condition | 330100-BDC-ZYDJ/seller-not-buyer   |
    When the clerk refuses the case because "买卖双方为同一人"
    Then the case is "refused"

  Scenario: A refused tax declaration cancels the registration and the utility transfers
    When the clerk opens a case of "property-transfer" at the window for the applicant
    And the applicant submits a complete application
    And the clerk accepts the case
    And the reviewer of "sc-tax" refuses "330102-SW-CLFJYSF" because "计税价格低于核定价格"
    Then the case outcome is "refused"
    And item "330100-SHUI-GH" is "cancelled"
    And the case is "ready_for_pickup"

  Scenario: The one-time notice lists the signatures still missing
    When the applicant opens a case of "property-transfer" online
    And the applicant submits a complete application
    And the clerk gives the one-time notice
    Then the one-time notice lists:
      | kind      | id                                       |
      | signature | property-registration-application/buyer  |
      | signature | 不动产登记申请书/卖方                      |
